/**
 * VirtualServices: hosts resolved in their namespace, gateways resolved (`mesh` when unset),
 * and the ordered routes one VirtualService contributes to one context (a gateway server or a
 * service port), with one level of delegation and truncation after the first catch-all.
 */
import type { KubeObject } from '../../api/meta.ts';
import { resolveHost } from './hosts.ts';
import { compileHttpRoute, gatewayRef, matchesFor, type RouteContext } from './http-route.ts';
import { type ParsedMatch, parseMatch, truncateAtCatchAll } from './match.ts';
import type { Obj } from './registry.ts';
import type { CompiledMatch, CompiledRoute, Diagnostic } from './types.ts';

/** A VirtualService with its names resolved. */
export interface VsInfo {
  obj: KubeObject;
  key: string;
  namespace: string;
  name: string;
  /** Resolved hosts; empty for a delegate. */
  hosts: string[];
  /** Resolved gateway references (`mesh` or `ns/name`). */
  gateways: string[];
}

/** Resolves the VirtualServices (in config order); those without hosts are delegates only. */
export function indexVirtualServices(
  vss: readonly KubeObject[],
  known: (fqdn: string) => boolean,
  diags: Diagnostic[],
): VsInfo[] {
  const out: VsInfo[] = [];
  for (const vs of vss) {
    const spec: Obj = vs.spec ?? {};
    const namespace = vs.metadata.namespace ?? 'default';
    const name = vs.metadata.name ?? '';
    const hosts: string[] = [];
    (Array.isArray(spec.hosts) ? spec.hosts : []).forEach((h: unknown, i: number) => {
      if (typeof h !== 'string' || h.trim() === '') {
        diags.push({
          kind: 'VirtualService',
          namespace,
          name,
          field: `spec.hosts[${i}]`,
          message: 'host cannot be empty',
        });
      } else hosts.push(resolveHost(h, namespace, known));
    });
    const gws: string[] =
      Array.isArray(spec.gateways) && spec.gateways.length > 0 ? spec.gateways.map(String) : ['mesh'];
    out.push({
      obj: vs,
      key: `${namespace}/${name}`,
      namespace,
      name,
      hosts,
      gateways: [...new Set(gws.map((g) => gatewayRef(g, namespace)))],
    });
  }
  return out;
}

function mergeMatch(root: CompiledMatch, child: CompiledMatch): CompiledMatch {
  const out: CompiledMatch = { ...root, ...child };
  for (const k of ['headers', 'withoutHeaders', 'queryParams', 'sourceLabels'] as const) {
    if (root[k] || child[k]) (out as Obj)[k] = { ...root[k], ...child[k] };
  }
  return out;
}

function crossMatches(root: CompiledMatch[], child: CompiledMatch[]): CompiledMatch[] {
  if (root.length === 0) return child;
  if (child.length === 0) return root;
  return root.flatMap((r) => child.map((c) => mergeMatch(r, c)));
}

/** Everything route compilation needs besides the VirtualService itself. */
export type RouteEnv = Omit<
  RouteContext,
  'vsKey' | 'vsNamespace' | 'report' | 'warn' | 'gateway' | 'port'
> & {
  diags: Diagnostic[];
  byKey: Map<string, VsInfo>;
};

function reporter(vs: VsInfo, diags: Diagnostic[], warning: boolean): RouteContext['report'] {
  return (field, message) =>
    diags.push({
      kind: 'VirtualService',
      namespace: vs.namespace,
      name: vs.name,
      field,
      message,
      ...(warning ? { severity: 'warning' as const } : {}),
    });
}

function contextFor(vs: VsInfo, gateway: string, port: number, env: RouteEnv): RouteContext {
  return {
    ...env,
    vsKey: vs.key,
    vsNamespace: vs.namespace,
    gateway,
    port,
    report: reporter(vs, env.diags, false),
    warn: reporter(vs, env.diags, true),
  };
}

/**
 * The routes `vs` contributes for `gateway` (`mesh` or `ns/name`) on `port`, in order, stopping
 * after the first catch-all route.
 */
export function routesFor(vs: VsInfo, gateway: string, port: number, env: RouteEnv): CompiledRoute[] {
  const ctx = contextFor(vs, gateway, port, env);
  const http: Obj[] = Array.isArray(vs.obj.spec?.http) ? vs.obj.spec.http : [];
  const out: CompiledRoute[] = [];
  http.forEach((r, i) => {
    const field = `spec.http[${i}]`;
    if (!r?.delegate) {
      const c = compileHttpRoute(r ?? {}, field, ctx);
      if (c) out.push(c);
      return;
    }
    if (r.route || r.redirect) {
      ctx.report(field, 'a route with delegate cannot also set route or redirect');
      return;
    }
    const dkey = `${r.delegate.namespace ?? vs.namespace}/${r.delegate.name ?? ''}`;
    const child = env.byKey.get(dkey);
    if (!child) {
      ctx.warn(`${field}.delegate`, `delegate VirtualService ${dkey} not found`);
      return;
    }
    if (child.hosts.length > 0) {
      ctx.report(`${field}.delegate`, `delegate VirtualService ${dkey} must not set hosts`);
      return;
    }
    const parsed: ParsedMatch[] = [];
    const raw: Obj[] = Array.isArray(r.match) ? r.match : [];
    for (let j = 0; j < raw.length; j++) {
      const p = parseMatch(raw[j] as Obj, `${field}.match[${j}]`, ctx.report);
      if (!p) return;
      parsed.push(p);
    }
    const rootMatches = matchesFor(parsed, ctx);
    if (raw.length > 0 && rootMatches.length === 0) return;
    const cctx = contextFor(child, gateway, port, env);
    const childHttp: Obj[] = Array.isArray(child.obj.spec?.http) ? child.obj.spec.http : [];
    childHttp.forEach((cr, j) => {
      if (cr?.delegate) {
        cctx.report(`spec.http[${j}].delegate`, 'a delegate VirtualService cannot delegate again');
        return;
      }
      const c = compileHttpRoute(cr ?? {}, `spec.http[${j}]`, cctx);
      if (c) out.push({ ...c, matches: crossMatches(rootMatches, c.matches) });
    });
  });
  return truncateAtCatchAll(out);
}
