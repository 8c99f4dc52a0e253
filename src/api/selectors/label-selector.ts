/**
 * Label selectors: the `labelSelector` query-string syntax and the `metav1.LabelSelector` object,
 * both reduced to one list of `LabelRequirement`s. Parse errors are 400 BadRequest ApiErrors
 * worded as kube-apiserver words them (`unable to parse requirement: …`, `found 'x', expected: …`).
 *
 * Which function does what with "no selector": `parseLabelSelector('')` returns `[]`, which
 * matches everything; `labelSelectorRequirements(null | undefined)` returns `null`, which matches
 * nothing, and `labelSelectorRequirements({})` returns `[]`, as `LabelSelectorAsSelector` does.
 */
import { errors } from '../errors.ts';
import {
  fieldInvalid,
  type LabelOperator,
  type LabelRequirement,
  type LabelSelector,
  matchesRequirements,
  newRequirement,
  qualifiedNameErrors,
} from './label-requirement.ts';

export type {
  LabelOperator,
  LabelRequirement,
  LabelSelector,
  LabelSelectorRequirement,
} from './label-requirement.ts';
export {
  labelValueErrors,
  matchesRequirement,
  matchesRequirements,
  newRequirement,
  qualifiedNameErrors,
} from './label-requirement.ts';

type Tok = 'id' | 'end' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin';

interface Token {
  tok: Tok;
  lit: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && WHITESPACE.has(s[i] ?? '')) i++;
    if (i >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    const ch = s[i] ?? '';
    if (SPECIAL.has(ch)) {
      const two = s.slice(i, i + 2);
      const lit = two === '==' || two === '!=' ? two : ch;
      out.push({ tok: lit as Tok, lit });
      i += lit.length;
      continue;
    }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j] ?? '') && !WHITESPACE.has(s[j] ?? '')) j++;
    const lit = s.slice(i, j);
    out.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit });
    i = j;
  }
}

/** Parser over the token list; `in`/`notin` read as identifiers where a value is expected. */
class Parser {
  readonly #items: Token[];
  #pos = 0;

  constructor(s: string) {
    this.#items = lex(s);
  }

  peek(asValue = true): Token {
    const t = this.#items[this.#pos] ?? { tok: 'end', lit: '' };
    return asValue && (t.tok === 'in' || t.tok === 'notin') ? { tok: 'id', lit: t.lit } : t;
  }

  next(asValue = true): Token {
    const t = this.peek(asValue);
    this.#pos = Math.min(this.#pos + 1, this.#items.length - 1);
    return t;
  }
}

class ParseError extends Error {}

function fail(message: string): never {
  throw new ParseError(message);
}

function parseRequirement(p: Parser): LabelRequirement {
  let t = p.next();
  let negated = false;
  if (t.tok === '!') {
    negated = true;
    t = p.next();
  }
  if (t.tok !== 'id') fail(`found '${t.lit}', expected: identifier`);
  const key = t.lit;
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length > 0) fail(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  const after = p.peek().tok;
  if (after === 'end' || after === ',') return newRequirement(key, negated ? '!' : 'exists', []);
  if (negated) fail(`found '${p.peek().lit}', expected: ',' or 'end of string'`);
  const opTok = p.next(false);
  const ops: Partial<Record<Tok, LabelOperator>> = {
    in: 'in',
    notin: 'notin',
    '=': '=',
    '==': '==',
    '!=': '!=',
    '>': 'gt',
    '<': 'lt',
  };
  const op = ops[opTok.tok];
  if (op === undefined) fail(`found '${opTok.lit}', expected: in, notin, =, ==, !=, gt, lt`);
  const values = op === 'in' || op === 'notin' ? parseValueSet(p) : parseExactValue(p);
  return newRequirement(key, op, [...new Set(values)].sort());
}

function parseValueSet(p: Parser): string[] {
  const open = p.next();
  if (open.tok !== '(') fail(`found '${open.lit}' expected: '('`);
  const first = p.peek();
  if (first.tok === ')') {
    p.next();
    return [''];
  }
  if (first.tok !== 'id' && first.tok !== ',') fail(`found '${first.lit}', expected: ',', ')' or identifier`);
  const values: string[] = [];
  for (;;) {
    const t = p.next();
    if (t.tok === 'id') {
      values.push(t.lit);
      const n = p.peek();
      if (n.tok === ')') break;
      if (n.tok !== ',') fail(`found '${n.lit}', expected: ',' or ')'`);
    } else if (t.tok === ',') {
      // `(,a`, `a,,b` and `a,)` each name the empty value.
      if (values.length === 0) values.push('');
      const n = p.peek();
      if (n.tok === ')' || n.tok === ',') values.push('');
      if (n.tok === ')') break;
    } else {
      fail(`found '${t.lit}', expected: ',', or identifier`);
    }
  }
  p.next();
  return values;
}

function parseExactValue(p: Parser): string[] {
  const t = p.peek();
  if (t.tok === 'end' || t.tok === ',') return [''];
  p.next();
  if (t.tok !== 'id') fail(`found '${t.lit}', expected: identifier`);
  return [t.lit];
}

/**
 * Parses the `labelSelector` query syntax (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a`, `!a`, `a>1`, `a<1`, comma-separated) into requirements sorted by key. An empty string
 * gives `[]` (matches everything). Throws a 400 BadRequest ApiError on a syntax or validation error.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  if (typeof selector !== 'string') throw errors.badRequest('label selector must be a string');
  const p = new Parser(selector);
  const reqs: LabelRequirement[] = [];
  try {
    for (;;) {
      const t = p.peek();
      if (t.tok === 'end') break;
      if (t.tok !== 'id' && t.tok !== '!')
        fail(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(parseRequirement(p));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new ParseError(`unable to parse requirement: ${message}`);
      }
      const sep = p.next();
      if (sep.tok === 'end') break;
      if (sep.tok !== ',') fail(`found '${sep.lit}', expected: ',' or 'end of string'`);
      const n = p.peek();
      if (n.tok !== 'id' && n.tok !== '!') fail(`found '${n.lit}', expected: identifier after ','`);
    }
  } catch (err) {
    if (err instanceof ParseError) throw errors.badRequest(err.message);
    throw err;
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Parses a selector string and tests `labels` against it; convenience for one-off checks. */
export function matchesLabelString(
  selector: string,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return matchesRequirements(parseLabelSelector(selector), labels ?? {});
}

const OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Converts a `metav1.LabelSelector` into requirements, as `LabelSelectorAsSelector` does. Returns
 * `null` for a null/absent selector, which matches nothing; an empty selector yields `[]`, which
 * matches everything. Throws 400 on an unknown operator or an invalid key or value.
 */
export function labelSelectorRequirements(
  selector: LabelSelector | null | undefined,
): LabelRequirement[] | null {
  if (selector === null || selector === undefined) return null;
  if (typeof selector !== 'object' || Array.isArray(selector))
    throw errors.badRequest('label selector must be an object');
  const reqs: LabelRequirement[] = [];
  const matchLabels = selector.matchLabels ?? {};
  if (typeof matchLabels !== 'object' || Array.isArray(matchLabels))
    throw errors.badRequest('matchLabels must be an object');
  for (const [k, v] of Object.entries(matchLabels)) {
    if (typeof v !== 'string')
      throw errors.badRequest(fieldInvalid(`matchLabels[${k}]`, String(v), 'must be a string'));
    reqs.push(newRequirement(k, '=', [v]));
  }
  const exprs = selector.matchExpressions ?? [];
  if (!Array.isArray(exprs)) throw errors.badRequest('matchExpressions must be a list');
  exprs.forEach((expr, i) => {
    const path = `matchExpressions[${i}]`;
    const op =
      typeof expr?.operator === 'string' && Object.hasOwn(OPERATORS, expr.operator)
        ? OPERATORS[expr.operator]
        : undefined;
    if (op === undefined) {
      throw errors.badRequest(
        `${path}.operator: Unsupported value: ${JSON.stringify(expr?.operator ?? '')}: supported values: "DoesNotExist", "Exists", "In", "NotIn"`,
      );
    }
    if (typeof expr.key !== 'string') throw errors.badRequest(`${path}.key: Required value`);
    const values = expr.values ?? [];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))
      throw errors.badRequest(`${path}.values: Invalid value: must be a list of strings`);
    reqs.push(newRequirement(expr.key, op, [...values], path));
  });
  return reqs;
}

/**
 * Whether `labels` match a `metav1.LabelSelector` object: a null/absent selector matches nothing,
 * an empty one (`{}`) matches everything. Throws 400 for an invalid selector.
 */
export function matchesLabelSelector(
  selector: LabelSelector | null | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const reqs = labelSelectorRequirements(selector);
  return reqs !== null && matchesRequirements(reqs, labels ?? {});
}

/** Renders requirements back to the query-string syntax (`a=b,c in (d,e),!f`). */
export function formatLabelSelector(reqs: readonly LabelRequirement[]): string {
  return reqs
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${r.values.join(',')})`;
        case 'gt':
          return `${r.key}>${r.values[0] ?? ''}`;
        case 'lt':
          return `${r.key}<${r.values[0] ?? ''}`;
        default:
          return `${r.key}${r.operator}${r.values[0] ?? ''}`;
      }
    })
    .join(',');
}
