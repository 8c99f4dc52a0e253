/**
 * Field selectors: `a=b`, `a==b`, `a!=b`, comma-separated, with `\` escaping `,`, `=` and `\` in
 * values, parsed as `fields.ParseSelector` does. Which keys a resource supports is the caller's
 * business; `validateFieldKeys` rejects the rest with the real server's 400.
 */
import { errors } from '../errors.ts';

/** One term of a field selector; `==` is normalised to `=`. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): [string, '=' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i))
        return [term.slice(0, i), op === '!=' ? '!=' : '=', term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** Undoes `\`-escaping of a field-selector value; throws 400 on a bad escape or a bare `,`/`=`. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=')
        throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (c === ',' || c === '=')
      // Go prints the rune as its code point (`%v` of a rune).
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (escaped) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Escapes `\`, `,` and `=` in a value so it can be embedded in a field selector. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses a `fieldSelector` query value into requirements (terms sorted, empty terms skipped); an
 * empty string gives `[]`, which matches everything. Throws 400 BadRequest
 * (`invalid selector: '…'; can't understand '…'`) on a term without an operator.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  if (typeof selector !== 'string') throw errors.badRequest('field selector must be a string');
  const reqs: FieldRequirement[] = [];
  for (const part of splitTerms(selector).sort()) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (split === undefined)
      throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, operator, raw] = split;
    reqs.push({ field, operator, value: unescapeFieldValue(raw) });
  }
  return reqs;
}

/**
 * Whether an object satisfies every requirement; `get` returns a field's value as a string, or
 * undefined when the object has none (which `=` treats as `""`, as Kubernetes' field sets do).
 */
export function matchesFields(
  reqs: readonly FieldRequirement[],
  get: (field: string) => string | undefined,
): boolean {
  return reqs.every((r) => {
    const v = get(r.field) ?? '';
    return r.operator === '=' ? v === r.value : v !== r.value;
  });
}

/** Throws 400 `field label not supported: X` for the first requirement whose key is not in `allowed`. */
export function validateFieldKeys(reqs: readonly FieldRequirement[], allowed: Iterable<string>): void {
  const set = allowed instanceof Set ? (allowed as Set<string>) : new Set(allowed);
  for (const r of reqs) {
    if (!set.has(r.field)) throw errors.badRequest(`field label not supported: ${r.field}`);
  }
}
