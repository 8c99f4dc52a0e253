/**
 * One HTTPRoute of a VirtualService → CompiledRoute for one context (a gateway server or a
 * service port seen by sidecars), with Istio's validation: weights, conflicting actions,
 * destinations and subsets. An invalid route is reported and skipped; the others still compile.
 */
import { parseDuration } from './duration.ts';
import { clusterName, resolveHost } from './hosts.ts';
import { type ParsedMatch, parseMatch, type Report } from './match.ts';
import { corsPolicy, faultPolicy, headerPolicy, retryPolicy } from './policies.ts';
import type { Obj, RegistryService } from './registry.ts';
import type {
  CompiledMatch,
  CompiledRoute,
  MirrorPolicy,
  RouteAction,
  WeightedDestination,
} from './types.ts';

/** What compiling a route needs to know about where it is used and what exists. */
export interface RouteContext {
  /** `ns/name` of the VirtualService. */
  vsKey: string;
  vsNamespace: string;
  /** `mesh` for sidecars, or the `ns/name` of the Gateway. */
  gateway: string;
  /** Gateway server port or service port the routes serve. */
  port: number;
  service: (fqdn: string) => RegistryService | undefined;
  subsetExists: (fqdn: string, subset: string) => boolean;
  known: (fqdn: string) => boolean;
  /** An error: the piece is skipped. */
  report: Report;
  /** A warning: compiled as written, but it will not route (unknown host or subset). */
  warn: Report;
}

/** Resolves a gateway reference as written in a VirtualService of `namespace`. */
export function gatewayRef(ref: string, namespace: string): string {
  if (ref === 'mesh') return 'mesh';
  return ref.includes('/') ? ref : `${namespace}/${ref}`;
}

interface Dest {
  host: string;
  subset: string;
  port: number;
  cluster: string;
}

function destination(d: Obj | undefined, field: string, ctx: RouteContext): Dest | undefined {
  if (typeof d?.host !== 'string' || d.host === '') {
    ctx.report(`${field}.host`, 'destination host is required');
    return undefined;
  }
  const host = resolveHost(d.host, ctx.vsNamespace, ctx.known);
  const svc = ctx.service(host);
  const subset = typeof d.subset === 'string' ? d.subset : '';
  let port: number | undefined = d.port?.number;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    ctx.report(`${field}.port.number`, 'port must be 1..65535');
    return undefined;
  }
  if (!svc) {
    ctx.warn(`${field}.host`, `host ${host} matches no service or ServiceEntry; requests get 503`);
  } else if (port === undefined) {
    if (svc.ports.length === 1) port = svc.ports[0]?.port;
    else if (svc.ports.some((p) => p.port === ctx.port)) port = ctx.port;
    else {
      ctx.report(`${field}.port`, `service ${host} has several ports; destination.port is required`);
      return undefined;
    }
  }
  port ??= ctx.port;
  if (subset && !ctx.subsetExists(host, subset)) {
    ctx.warn(
      `${field}.subset`,
      `subset ${subset} of ${host} is defined by no DestinationRule; requests get 503`,
    );
  }
  return { host, subset, port, cluster: clusterName(port, subset, host) };
}

function forwardAction(routes: Obj[], field: string, ctx: RouteContext): RouteAction | undefined {
  const dests: WeightedDestination[] = [];
  let total = 0;
  let ok = true;
  routes.forEach((r, i) => {
    const f = `${field}.route[${i}]`;
    const d = destination(r?.destination, `${f}.destination`, ctx);
    if (!d) {
      ok = false;
      return;
    }
    const weight = r.weight ?? (routes.length === 1 ? 100 : 0);
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) {
      ctx.report(`${f}.weight`, `weight must be a non-negative integer, got ${JSON.stringify(r.weight)}`);
      ok = false;
      return;
    }
    total += weight;
    if (weight === 0 && routes.length > 1) return;
    const wd: WeightedDestination = { ...d, weight: routes.length === 1 ? 100 : weight };
    const headers = headerPolicy(r.headers);
    if (headers) wd.headers = headers;
    dests.push(wd);
  });
  if (!ok) return undefined;
  if (routes.length > 1 && total === 0) {
    ctx.report(`${field}.route`, 'total destination weight is 0');
    return undefined;
  }
  return { kind: 'route', destinations: dests };
}

function redirectAction(r: Obj, field: string, ctx: RouteContext): RouteAction | undefined {
  if (r.uri !== undefined && r.prefixRewrite !== undefined) {
    ctx.report(field, 'redirect uri and prefixRewrite cannot both be set');
    return undefined;
  }
  const code = r.redirectCode ?? 301;
  if (![301, 302, 303, 307, 308].includes(code)) {
    ctx.report(`${field}.redirectCode`, `redirect code ${code} must be 301, 302, 303, 307 or 308`);
    return undefined;
  }
  const out: RouteAction = { kind: 'redirect', code };
  if (typeof r.uri === 'string') out.uri = r.uri;
  if (typeof r.prefixRewrite === 'string') out.prefixRewrite = r.prefixRewrite;
  if (typeof r.authority === 'string') out.authority = r.authority;
  if (Number.isInteger(r.port)) out.port = r.port;
  if (r.derivePort === 'FROM_PROTOCOL_DEFAULT' || r.derivePort === 'FROM_REQUEST_PORT')
    out.derivePort = r.derivePort;
  if (typeof r.scheme === 'string') out.scheme = r.scheme;
  return out;
}

function directAction(d: Obj, field: string, ctx: RouteContext): RouteAction | undefined {
  if (!Number.isInteger(d.status) || d.status < 200 || d.status > 599) {
    ctx.report(`${field}.status`, 'status must be 200..599');
    return undefined;
  }
  const out: RouteAction = { kind: 'directResponse', status: d.status };
  if (typeof d.body?.string === 'string') out.body = d.body.string;
  else if (typeof d.body?.bytes === 'string') out.body = Buffer.from(d.body.bytes, 'base64').toString('utf8');
  return out;
}

const CONFLICTS: Array<[string, string[]]> = [
  ['redirect', ['route', 'fault', 'rewrite']],
  ['directResponse', ['route', 'fault', 'rewrite', 'redirect']],
  ['mirror', ['mirrors']],
];

/** Filters parsed matches down to those that apply in `ctx` (port and gateways selectors). */
export function matchesFor(parsed: ParsedMatch[], ctx: RouteContext): CompiledMatch[] {
  return parsed
    .filter((p) => p.port === undefined || p.port === ctx.port)
    .filter((p) => !p.gateways || p.gateways.some((g) => gatewayRef(g, ctx.vsNamespace) === ctx.gateway))
    .map((p) => p.match);
}

function mirrors(r: Obj, field: string, ctx: RouteContext): MirrorPolicy[] | undefined | null {
  const list: Array<{ d: Obj; pct: number; f: string }> = [];
  const pct = (p: Obj | undefined, legacy: unknown): number =>
    typeof p?.value === 'number' ? p.value : typeof legacy === 'number' ? legacy : 100;
  if (r.mirror)
    list.push({ d: r.mirror, pct: pct(r.mirrorPercentage, r.mirrorPercent), f: `${field}.mirror` });
  (Array.isArray(r.mirrors) ? r.mirrors : []).forEach((m: Obj, i: number) => {
    list.push({
      d: m?.destination,
      pct: pct(m?.percentage, undefined),
      f: `${field}.mirrors[${i}].destination`,
    });
  });
  if (list.length === 0) return undefined;
  const out: MirrorPolicy[] = [];
  for (const m of list) {
    if (m.pct < 0 || m.pct > 100) {
      ctx.report(`${field}.mirrorPercentage`, 'mirror percentage must be between 0 and 100');
      return null;
    }
    const d = destination(m.d, m.f, ctx);
    if (!d) return null;
    out.push({ ...d, percent: m.pct });
  }
  return out;
}

/**
 * Compiles `http[i]` for `ctx`. Returns undefined when the route is invalid (reported) or when
 * none of its matches applies here (not reported: that is a selector, not an error).
 */
export function compileHttpRoute(r: Obj, field: string, ctx: RouteContext): CompiledRoute | undefined {
  for (const [key, others] of CONFLICTS) {
    const clash = others.filter((o) => r[key] !== undefined && r[o] !== undefined);
    if (clash.length > 0) {
      ctx.report(field, `${key} cannot be combined with ${clash.join(', ')}`);
      return undefined;
    }
  }
  const parsed: ParsedMatch[] = [];
  const rawMatches: Obj[] = Array.isArray(r.match) ? r.match : [];
  for (let i = 0; i < rawMatches.length; i++) {
    const p = parseMatch(rawMatches[i] as Obj, `${field}.match[${i}]`, ctx.report);
    if (!p) return undefined;
    parsed.push(p);
  }
  const matches = matchesFor(parsed, ctx);
  if (rawMatches.length > 0 && matches.length === 0) return undefined;
  let action: RouteAction | undefined;
  const routes: Obj[] = Array.isArray(r.route) ? r.route : [];
  if (r.redirect) action = redirectAction(r.redirect, `${field}.redirect`, ctx);
  else if (r.directResponse) action = directAction(r.directResponse, `${field}.directResponse`, ctx);
  else if (routes.length > 0) action = forwardAction(routes, field, ctx);
  else {
    ctx.report(field, 'one of route, redirect or directResponse is required');
    return undefined;
  }
  if (!action) return undefined;
  let valid = true;
  const report: Report = (f, m) => {
    valid = false;
    ctx.report(f, m);
  };
  const out: CompiledRoute = {
    virtualService: ctx.vsKey,
    name: typeof r.name === 'string' ? r.name : '',
    matches,
    action,
    retries: retryPolicy(r.retries, `${field}.retries`, report),
  };
  if (r.rewrite && typeof r.rewrite === 'object') {
    const rw: NonNullable<CompiledRoute['rewrite']> = {};
    if (typeof r.rewrite.uri === 'string') rw.uri = r.rewrite.uri;
    if (typeof r.rewrite.authority === 'string') rw.authority = r.rewrite.authority;
    const rr = r.rewrite.uriRegexRewrite;
    if (rr && typeof rr.match === 'string' && typeof rr.rewrite === 'string') {
      if (rw.uri !== undefined) report(`${field}.rewrite`, 'uri and uriRegexRewrite cannot both be set');
      rw.uriRegex = { match: rr.match, rewrite: rr.rewrite };
    }
    out.rewrite = rw;
  }
  if (r.timeout !== undefined) {
    const ms = parseDuration(r.timeout);
    if (ms === undefined) report(`${field}.timeout`, `invalid duration ${JSON.stringify(r.timeout)}`);
    else if (ms > 0) out.timeoutMs = ms;
  }
  const fault = faultPolicy(r.fault, `${field}.fault`, report);
  if (fault) {
    out.fault = fault;
    // Istio: timeouts and retries are not enabled on the client side when a fault is set.
    delete out.timeoutMs;
    out.retries = { ...out.retries, attempts: 0 };
  }
  const m = mirrors(r, field, { ...ctx, report });
  if (m) out.mirrors = m;
  const cors = corsPolicy(r.corsPolicy, `${field}.corsPolicy`, report);
  if (cors) out.cors = cors;
  const headers = headerPolicy(r.headers);
  if (headers) out.headers = headers;
  return valid ? out : undefined;
}
