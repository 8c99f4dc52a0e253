/**
 * A small evaluator for the JSONPath subset CRD `additionalPrinterColumns` and
 * `selectableFields` use: `.a.b`, `[0]`, `[*]`, `['key']` and `[?(@.x=="y")]` filters,
 * optionally wrapped in `{…}`, plus the text rendering kubectl's JSONPath printer applies.
 */

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

/** Thrown for a path outside the supported subset. */
export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

function parseLiteral(s: string): unknown {
  const t = s.trim();
  if (/^'.*'$/.test(t)) return t.slice(1, -1);
  try {
    return JSON.parse(t);
  } catch {
    throw new JsonPathError(`unsupported filter value ${t}`);
  }
}

/** Parses a path into steps; throws JsonPathError for unsupported syntax. */
export function parseJsonPath(path: string): Step[] {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    const ch = p[i];
    if (ch === '.') {
      const m = /^[^.[\]]+/.exec(p.slice(i + 1));
      if (!m) throw new JsonPathError(`invalid path ${path}`);
      steps.push(m[0] === '*' ? { kind: 'wildcard' } : { kind: 'field', name: m[0] });
      i += 1 + m[0].length;
    } else if (ch === '[') {
      const end = p.indexOf(']', p.startsWith('[?(', i) ? p.indexOf(')]', i) : i);
      if (end < 0) throw new JsonPathError(`unterminated [ in ${path}`);
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else {
        const f = /^\?\(@((?:\.[\w-]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner);
        if (!f) throw new JsonPathError(`unsupported expression [${inner}]`);
        const [, fp = '', op, lit = ''] = f;
        steps.push({
          kind: 'filter',
          path: fp.slice(1).split('.'),
          op: op as '==' | '!=',
          value: parseLiteral(lit),
        });
      }
    } else {
      throw new JsonPathError(`unexpected ${ch} in ${path}`);
    }
  }
  return steps;
}

function child(v: unknown, name: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)[name]
    : undefined;
}

/** Every value the path selects in `obj`, in document order; missing fields select nothing. */
export function evaluateJsonPath(obj: unknown, path: string | Step[]): unknown[] {
  const steps = typeof path === 'string' ? parseJsonPath(path) : path;
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (s.kind === 'field') {
        const c = child(v, s.name);
        if (c !== undefined) next.push(c);
      } else if (s.kind === 'index') {
        if (Array.isArray(v)) {
          const c = v[s.index < 0 ? v.length + s.index : s.index];
          if (c !== undefined) next.push(c);
        }
      } else if (s.kind === 'wildcard') {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item;
          for (const n of s.path) x = child(x, n);
          if ((x === s.value) === (s.op === '==')) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}

/** Renders a value as the JSONPath text printer does: strings raw, composites as Go-escaped JSON. */
export function jsonPathText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  }
  return String(value);
}
