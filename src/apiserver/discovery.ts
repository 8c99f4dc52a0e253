/**
 * API discovery documents for `/api`, `/apis`, `/api/v1`, `/apis/{group}` and `/apis/{group}/{version}`,
 * built as plain data from the served `ResourceDef`s. The HTTP layer picks the form with
 * `negotiateDiscovery` and writes the returned body and content type; nothing here does I/O.
 * Shapes follow docs/reference kubectl-wire.md §3 (measured against kubectl 1.27–1.33).
 */
import type { ResourceDef } from '../api/resource-def.ts';

/** Which discovery document a request's `Accept` header asks for. */
export type DiscoveryForm = 'v2' | 'v2beta1' | 'legacy';

/** The full verb list kubectl expects on every resource, cluster-scoped ones included. */
export const RESOURCE_VERBS: readonly string[] = Object.freeze([
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
]);

const SUBRESOURCE_VERBS: Readonly<Record<string, readonly string[]>> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  log: ['get'],
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
  proxy: ['create', 'delete', 'get', 'patch', 'update'],
  binding: ['create'],
  eviction: ['create'],
};

/** Kubernetes' `/apis` order for built-in groups (kube-aggregator APIService priorities); others follow alphabetically. */
const GROUP_ORDER: readonly string[] = [
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
];

/** One served group with its versions in preference order (preferred first). */
export interface ServedGroup {
  /** `''` for the core group. */
  group: string;
  versions: string[];
}

/**
 * Compares two version strings the way Kubernetes orders them (`v2 > v1 > v1beta2 > v1beta1 >
 * v1alpha1 > anything else`); negative when `a` is preferred.
 */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stability = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  // GA before beta before alpha, then higher major, then higher minor.
  for (let i = 0; i < 3; i++) {
    const d = (rb[i] ?? 0) - (ra[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function groupRank(group: string): number {
  const i = GROUP_ORDER.indexOf(group);
  return i === -1 ? GROUP_ORDER.length : i;
}

/**
 * Every served group with its versions in preference order, core first, then Kubernetes'
 * built-in groups in their usual order, then the rest alphabetically. A version's rank is the
 * earliest position it takes in any def's `versions`; ties go by Kubernetes version priority.
 */
export function servedGroups(defs: readonly ResourceDef[]): ServedGroup[] {
  const ranks = new Map<string, Map<string, number>>();
  for (const def of defs) {
    let versions = ranks.get(def.group);
    if (!versions) {
      versions = new Map();
      ranks.set(def.group, versions);
    }
    def.versions.forEach((v, i) => {
      versions.set(v, Math.min(versions.get(v) ?? i, i));
    });
  }
  const groups = [...ranks.entries()].map(([group, versions]) => ({
    group,
    versions: [...versions.entries()]
      .sort(([va, ra], [vb, rb]) => ra - rb || compareKubeVersions(va, vb))
      .map(([v]) => v),
  }));
  return groups.sort((a, b) => {
    if (a.group === '' || b.group === '') return a.group === '' ? -1 : 1;
    return groupRank(a.group) - groupRank(b.group) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0);
  });
}

/** The defs served at one group/version, sorted by plural; empty when none. */
export function defsAt(defs: readonly ResourceDef[], group: string, version: string): ResourceDef[] {
  return defs
    .filter((d) => d.group === group && d.versions.includes(version))
    .sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
}

/** `group/version`, or just `version` for core. */
export function groupVersionString(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

interface AcceptClause {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(accept: string): AcceptClause[] {
  const clauses: AcceptClause[] = [];
  for (const raw of accept.split(',')) {
    const [typePart, ...paramParts] = raw.split(';');
    const type = (typePart ?? '').trim().toLowerCase();
    if (type === '') continue;
    const params = new Map<string, string>();
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq === -1) continue;
      params.set(
        p.slice(0, eq).trim().toLowerCase(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
    }
    const q = Number(params.get('q') ?? '1');
    clauses.push({ type, params, q: Number.isFinite(q) ? q : 1 });
  }
  // Stable: equal weights keep the client's order.
  return clauses.sort((a, b) => b.q - a.q);
}

/**
 * Chooses the discovery form for `GET /api` and `GET /apis` from the `Accept` header: the first
 * acceptable clause wins, aggregated (`v2`/`v2beta1`) only when a clause names
 * `g=apidiscovery.k8s.io;as=APIGroupDiscoveryList`, legacy otherwise (also for absent or unknown headers).
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryForm {
  if (!accept) return 'legacy';
  for (const c of parseAccept(accept)) {
    if (c.q <= 0) continue;
    const as = c.params.get('as');
    if (as === undefined) {
      if (c.type === 'application/json' || c.type === '*/*' || c.type === 'application/*') return 'legacy';
      continue;
    }
    if (c.type !== 'application/json' || as !== 'APIGroupDiscoveryList') continue;
    if (c.params.get('g') !== 'apidiscovery.k8s.io') continue;
    const v = c.params.get('v');
    if (v === 'v2' || v === 'v2beta1') return v;
  }
  return 'legacy';
}

/** A discovery response: the exact `Content-Type` header to send and the JSON body. */
export interface DiscoveryResponse {
  contentType: string;
  body: unknown;
}

/** `{group, version, kind}` as discovery and OpenAPI write it. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The kind a subresource returns: Scale for `scale`, the parent kind otherwise. */
export function subresourceKind(def: ResourceDef, sub: string): GroupVersionKind {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  return { group: '', version: '', kind: def.kind };
}

/** The subresource names of a def in discovery order: status, scale, then the extras. */
export function subresourceNames(def: ResourceDef): string[] {
  const names: string[] = [];
  if (def.subresources.status) names.push('status');
  if (def.subresources.scale) names.push('scale');
  for (const extra of def.extraSubresources ?? []) if (!names.includes(extra)) names.push(extra);
  return names;
}

/** The verbs a subresource supports; unknown extras are read-only. */
export function subresourceVerbs(sub: string): string[] {
  return [...(SUBRESOURCE_VERBS[sub] ?? ['get'])];
}

function resourceDiscovery(def: ResourceDef): Record<string, unknown> {
  return {
    resource: def.plural,
    responseKind: { group: '', version: '', kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: [...RESOURCE_VERBS],
    ...(def.shortNames.length > 0 ? { shortNames: [...def.shortNames] } : {}),
    ...(def.categories.length > 0 ? { categories: [...def.categories] } : {}),
    ...(subresourceNames(def).length > 0
      ? {
          subresources: subresourceNames(def).map((sub) => ({
            subresource: sub,
            responseKind: subresourceKind(def, sub),
            verbs: subresourceVerbs(sub),
          })),
        }
      : {}),
  };
}

/** The exact aggregated discovery Content-Type for one version; kubectl checks it, not the body. */
export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/**
 * The aggregated discovery document (`APIGroupDiscoveryList`) for `GET /api` (`scope: 'core'`,
 * one unnamed item) or `GET /apis` (`scope: 'groups'`, one item per named group), each group's
 * versions preferred first. Pure; the caller sends `contentType` verbatim.
 */
export function aggregatedDiscovery(
  defs: readonly ResourceDef[],
  scope: 'core' | 'groups',
  version: 'v2' | 'v2beta1',
): DiscoveryResponse {
  const items = servedGroups(defs)
    .filter((g) => (scope === 'core') === (g.group === ''))
    .map((g) => ({
      metadata: g.group === '' ? { creationTimestamp: null } : { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: defsAt(defs, g.group, v).map(resourceDiscovery),
        freshness: 'Current',
      })),
    }));
  return {
    contentType: aggregatedContentType(version),
    body: {
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items,
    },
  };
}

export { apiResourceList, legacyApiVersions, legacyGroup, legacyGroupList } from './discovery-legacy.ts';
