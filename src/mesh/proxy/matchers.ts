/**
 * Compiled request matchers: every StringMatch becomes a closure once per config version
 * (regexes compiled and anchored once, as Envoy's safe_regex matches the whole value), so a
 * request is matched without allocating or re-parsing anything.
 */
import type { CompiledMatch, StringMatcher, ValueMatcher } from '../routing/types.ts';

/** A predicate over one string value. */
export type StringTest = (value: string) => boolean;

/** The parts of a request matching reads; `query` is parsed lazily, once. */
export interface RequestView {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Raw query string without `?` (`''` when none). */
  rawQuery: string;
  authority: string;
  scheme: string;
  headers: Record<string, string | string[] | undefined>;
  query?: Map<string, string>;
}

/** Compiles a StringMatcher; `ignoreCase` applies to exact and prefix only (Istio's ignoreUriCase). */
export function stringTest(m: StringMatcher, ignoreCase = false): StringTest {
  if ('exact' in m) {
    if (!ignoreCase) {
      const want = m.exact;
      return (v) => v === want;
    }
    const want = m.exact.toLowerCase();
    return (v) => v.length === want.length && v.toLowerCase() === want;
  }
  if ('prefix' in m) {
    if (!ignoreCase) {
      const want = m.prefix;
      return (v) => v.startsWith(want);
    }
    const want = m.prefix.toLowerCase();
    return (v) => v.length >= want.length && v.slice(0, want.length).toLowerCase() === want;
  }
  const re = new RegExp(`^(?:${m.regex})$`);
  return (v) => re.test(v);
}

function valueTest(m: ValueMatcher): (v: string | undefined) => boolean {
  if ('present' in m) return (v) => v !== undefined;
  const t = stringTest(m);
  return (v) => v !== undefined && t(v);
}

function headerValue(h: RequestView['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Parses a raw query string into first-value-wins pairs (`?a` gives `a` → `''`). */
export function parseQuery(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    let key = k;
    let value = v;
    try {
      key = decodeURIComponent(k.replace(/\+/g, ' '));
      value = decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      // keep the raw text when it does not decode
    }
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

/** A compiled HTTPMatchRequest. */
export type MatchTest = (r: RequestView) => boolean;

/** Compiles one match (all present fields must hold). */
export function matchTest(m: CompiledMatch): MatchTest {
  const tests: MatchTest[] = [];
  if (m.uri) {
    const t = stringTest(m.uri, m.ignoreUriCase === true && !('regex' in m.uri));
    tests.push((r) => t(r.path));
  }
  if (m.method) {
    const t = stringTest(m.method);
    tests.push((r) => t(r.method));
  }
  if (m.authority) {
    const t = stringTest(m.authority);
    tests.push((r) => t(r.authority));
  }
  if (m.scheme) {
    const t = stringTest(m.scheme);
    tests.push((r) => t(r.scheme));
  }
  for (const [name, vm] of Object.entries(m.headers ?? {})) {
    const t = valueTest(vm);
    tests.push((r) => t(headerValue(r.headers, name)));
  }
  for (const [name, vm] of Object.entries(m.withoutHeaders ?? {})) {
    const t = valueTest(vm);
    tests.push((r) => !t(headerValue(r.headers, name)));
  }
  for (const [name, vm] of Object.entries(m.queryParams ?? {})) {
    const t = valueTest(vm);
    tests.push((r) => {
      r.query ??= parseQuery(r.rawQuery);
      return t(r.query.get(name));
    });
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0] as MatchTest;
  return (r) => {
    for (const t of tests) if (!t(r)) return false;
    return true;
  };
}

/** Whether every selector label is present with the same value. */
export function labelsMatch(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return true;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}
