/**
 * HTTPMatchRequest → CompiledMatch, with Istio's validation: regexes must compile, header keys
 * are lower-cased, `{}` and regex `*` are presence tests, and `port`, `gateways`,
 * `sourceLabels`, `sourceNamespace` are configuration-time selectors.
 */
import type { Obj } from './registry.ts';
import type { CompiledMatch, CompiledRoute, StringMatcher, ValueMatcher } from './types.ts';

/** Reports a problem at a field path of the object being compiled. */
export type Report = (field: string, message: string) => void;

/** Whether a regex (RE2 in Istio) compiles as a JavaScript pattern. */
export function regexOk(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Parses a StringMatch; undefined (and a report) when malformed. */
export function stringMatch(v: unknown, field: string, report: Report): StringMatcher | undefined {
  if (!v || typeof v !== 'object') {
    report(field, 'must be an object with exact, prefix or regex');
    return undefined;
  }
  const o = v as Obj;
  if (typeof o.exact === 'string') return { exact: o.exact };
  if (typeof o.prefix === 'string') return { prefix: o.prefix };
  if (typeof o.regex === 'string') {
    if (!regexOk(o.regex)) {
      report(`${field}.regex`, `invalid regular expression ${JSON.stringify(o.regex)}`);
      return undefined;
    }
    return { regex: o.regex };
  }
  report(field, 'one of exact, prefix or regex is required');
  return undefined;
}

function valueMatch(v: unknown, field: string, report: Report): ValueMatcher | undefined {
  if (v && typeof v === 'object' && Object.keys(v).length === 0) return { present: true };
  if (v && typeof v === 'object' && (v as Obj).regex === '*') return { present: true };
  return stringMatch(v, field, report);
}

const PSEUDO = new Set(['uri', 'scheme', 'method', 'authority']);

function valueMap(
  v: unknown,
  field: string,
  report: Report,
  lower: boolean,
): Record<string, ValueMatcher> | undefined | null {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object') {
    report(field, 'must be a map');
    return null;
  }
  const out: Record<string, ValueMatcher> = {};
  for (const [k, m] of Object.entries(v as Obj)) {
    const key = lower ? k.toLowerCase() : k;
    if (lower && PSEUDO.has(key)) continue;
    const parsed = valueMatch(m, `${field}.${k}`, report);
    if (!parsed) return null;
    out[key] = parsed;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A parsed match plus the configuration-time gateway selector it carries. */
export interface ParsedMatch {
  match: CompiledMatch;
  /** `match.gateways` as written (resolution happens where the VirtualService's namespace is known). */
  gateways?: string[];
  /** `match.port`, applied at compile time against the listener or service port. */
  port?: number;
}

/** Parses one HTTPMatchRequest; undefined when any part is malformed (reported). */
export function parseMatch(m: Obj, field: string, report: Report): ParsedMatch | undefined {
  const out: CompiledMatch = {};
  let ok = true;
  const bad: Report = (f, msg) => {
    ok = false;
    report(f, msg);
  };
  if (typeof m?.name === 'string' && m.name) out.name = m.name;
  for (const k of ['uri', 'scheme', 'method', 'authority'] as const) {
    if (m?.[k] === undefined) continue;
    const s = stringMatch(m[k], `${field}.${k}`, bad);
    if (s) out[k] = s;
  }
  if (m?.ignoreUriCase === true) out.ignoreUriCase = true;
  const headers = valueMap(m?.headers, `${field}.headers`, bad, true);
  if (headers) out.headers = headers;
  const without = valueMap(m?.withoutHeaders, `${field}.withoutHeaders`, bad, true);
  if (without) out.withoutHeaders = without;
  const query = valueMap(m?.queryParams, `${field}.queryParams`, bad, false);
  if (query) out.queryParams = query;
  if (m?.sourceLabels && typeof m.sourceLabels === 'object') out.sourceLabels = { ...m.sourceLabels };
  if (typeof m?.sourceNamespace === 'string' && m.sourceNamespace) out.sourceNamespace = m.sourceNamespace;
  const parsed: ParsedMatch = { match: out };
  if (m?.port !== undefined) {
    if (!Number.isInteger(m.port) || m.port < 1 || m.port > 65535)
      bad(`${field}.port`, 'port must be 1..65535');
    else parsed.port = m.port;
  }
  if (Array.isArray(m?.gateways) && m.gateways.length > 0) parsed.gateways = m.gateways.map(String);
  return ok ? parsed : undefined;
}

/**
 * Whether a match catches everything Envoy-side: no uri or prefix `/` or regex `.*`/`*`, and no
 * header, query, method, authority or scheme condition (Istio's `IsCatchAllRoute`).
 */
export function isCatchAllMatch(m: CompiledMatch): boolean {
  const uri = m.uri;
  const uriAll =
    uri === undefined ||
    ('prefix' in uri && uri.prefix === '/') ||
    ('regex' in uri && (uri.regex === '.*' || uri.regex === '*'));
  return (
    uriAll &&
    !m.headers &&
    !m.withoutHeaders &&
    !m.queryParams &&
    !m.method &&
    !m.authority &&
    !m.scheme &&
    !m.sourceLabels &&
    !m.sourceNamespace
  );
}

/** Whether a route catches every request (no matches, or one catch-all match). */
export function isCatchAllRoute(r: CompiledRoute): boolean {
  return r.matches.length === 0 || r.matches.some(isCatchAllMatch);
}

/** Drops routes after the first catch-all, as Istio stops emitting routes there. */
export function truncateAtCatchAll(routes: CompiledRoute[]): CompiledRoute[] {
  const i = routes.findIndex(isCatchAllRoute);
  return i < 0 ? routes : routes.slice(0, i + 1);
}
