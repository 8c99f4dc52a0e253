/**
 * Legacy (unaggregated) discovery: `APIVersions` for `/api`, `APIGroupList` for `/apis`,
 * `APIGroup` for `/apis/{group}` and `APIResourceList` for `/api/v1` and `/apis/{group}/{version}`.
 * kubectl falls back to these when it did not ask for aggregated discovery (kubectl-wire.md §3.3)
 * and then fetches every group/version. Pure data builders; re-exported by `discovery.ts`.
 */
import type { ResourceDef } from '../api/resource-def.ts';
import {
  defsAt,
  groupVersionString,
  RESOURCE_VERBS,
  servedGroups,
  subresourceKind,
  subresourceNames,
  subresourceVerbs,
} from './discovery.ts';

/** `{groupVersion, version}` as legacy discovery lists a version. */
export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

/** Options for `legacyApiVersions`. */
export interface LegacyApiVersionsOptions {
  /** `host:port` clients should use; default `127.0.0.1:6443`. */
  serverAddress?: string;
}

/** The `APIVersions` body for legacy `GET /api`: core `v1` with `serverAddressByClientCIDRs`. */
export function legacyApiVersions(options: LegacyApiVersionsOptions = {}): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [
      { clientCIDR: '0.0.0.0/0', serverAddress: options.serverAddress ?? '127.0.0.1:6443' },
    ],
  };
}

function apiGroup(group: string, versions: readonly string[]): Record<string, unknown> {
  const list: GroupVersionForDiscovery[] = versions.map((v) => ({
    groupVersion: groupVersionString(group, v),
    version: v,
  }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

/** The `APIGroupList` body for legacy `GET /apis`: every named group (never core), preferred version first. */
export function legacyGroupList(defs: readonly ResourceDef[]): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: servedGroups(defs)
      .filter((g) => g.group !== '')
      .map((g) => apiGroup(g.group, g.versions)),
  };
}

/** The `APIGroup` body for `GET /apis/{group}`; undefined (404) when no def serves the group. */
export function legacyGroup(
  defs: readonly ResourceDef[],
  group: string,
): Record<string, unknown> | undefined {
  if (group === '') return undefined;
  const served = servedGroups(defs).find((g) => g.group === group);
  if (!served) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(served.group, served.versions) };
}

/**
 * The `APIResourceList` body for `GET /api/v1` (`group: ''`) or `GET /apis/{group}/{version}`:
 * each resource followed by its subresources (`deployments/scale` as autoscaling/v1 Scale,
 * `pods/log`), sorted by name as Kubernetes does. Undefined (404) when nothing is served there.
 */
export function apiResourceList(
  defs: readonly ResourceDef[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = defsAt(defs, group, version);
  if (served.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const def of served) {
    resources.push({
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: [...RESOURCE_VERBS],
      ...(def.shortNames.length > 0 ? { shortNames: [...def.shortNames] } : {}),
      ...(def.categories.length > 0 ? { categories: [...def.categories] } : {}),
    });
    for (const sub of subresourceNames(def)) {
      const gvk = subresourceKind(def, sub);
      resources.push({
        name: `${def.plural}/${sub}`,
        singularName: '',
        namespaced: def.namespaced,
        ...(gvk.group !== '' ? { group: gvk.group } : {}),
        ...(gvk.version !== '' ? { version: gvk.version } : {}),
        kind: gvk.kind,
        verbs: subresourceVerbs(sub),
      });
    }
  }
  resources.sort((a, b) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0));
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersionString(group, version),
    resources,
  };
}
