/**
 * The REST operations one kind exposes at one version, as a format-neutral list that the
 * OpenAPI v3 (`openapi.ts`) and v2 (`openapi-v2.ts`) renderers turn into documents. Every
 * PATCH carries `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter:
 * kubectl's verifier inspects every PATCH with the kind's GVK and gives up on the first one
 * lacking the parameter (kubectl-wire.md §5.3).
 */
import type { ResourceDef } from '../api/resource-def.ts';
import { type GroupVersionKind, groupVersionString, servedGroups } from './discovery.ts';

/** An HTTP method as OpenAPI names it. */
export type OpenApiMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** One operation: its Kubernetes action, the kind it acts on and its query parameter names. */
export interface KindOperation {
  method: OpenApiMethod;
  /** `x-kubernetes-action`: get, list, post, put, patch, delete, deletecollection. */
  action: string;
  gvk: GroupVersionKind;
  query: readonly string[];
  /** Whether the operation takes the object as its request body (PUT, POST). */
  body: boolean;
  operationId: string;
}

/** One URL template with its operations and the path parameters it needs. */
export interface KindPath {
  path: string;
  pathParams: readonly string[];
  operations: KindOperation[];
}

const WRITE_QUERY = ['dryRun', 'fieldManager', 'fieldValidation'] as const;
const PATCH_QUERY = [...WRITE_QUERY, 'force'] as const;
const LIST_QUERY = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
] as const;
const DELETE_QUERY = ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'] as const;

/** `api/v1` or `apis/{group}/{version}`: the key of a group/version in the OpenAPI v3 index. */
export function openApiGvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** Every served group/version as `{group, version, gvPath}`, in discovery order. */
export function servedGroupVersions(
  defs: readonly ResourceDef[],
): { group: string; version: string; gvPath: string }[] {
  return servedGroups(defs).flatMap((g) =>
    g.versions.map((version) => ({ group: g.group, version, gvPath: openApiGvPath(g.group, version) })),
  );
}

/** The schema name of a kind: `io.k8s.api.apps.v1.Deployment`, or reversed group for other groups. */
export function schemaName(group: string, version: string, kind: string): string {
  if (group === '') return `io.k8s.api.core.${version}.${kind}`;
  if (!group.includes('.') || group.endsWith('.k8s.io')) {
    return `io.k8s.api.${group.replace(/\.k8s\.io$/, '').replace(/\.authorization$/, '')}.${version}.${kind}`;
  }
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function idPart(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
}

/** The paths and operations of one kind at one version, namespaced or cluster-scoped as declared. */
export function kindPaths(def: ResourceDef, version: string): KindPath[] {
  const prefix = `/${openApiGvPath(def.group, version)}`;
  const gvk = { group: def.group, version, kind: def.kind };
  const scale = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  const gvId = `${idPart(def.group || 'core')}${idPart(version)}`;
  const scoped = def.namespaced ? 'Namespaced' : '';
  const base = def.namespaced ? `${prefix}/namespaces/{namespace}/${def.plural}` : `${prefix}/${def.plural}`;
  const baseParams = def.namespaced ? ['namespace'] : [];
  const op = (
    method: OpenApiMethod,
    action: string,
    verb: string,
    query: readonly string[],
    kind = gvk,
  ): KindOperation => ({
    method,
    action,
    gvk: kind,
    query,
    body: method === 'put' || method === 'post',
    operationId: `${verb}${gvId}${verb === 'list' && !scoped ? '' : scoped}${def.kind}`,
  });
  const paths: KindPath[] = [
    {
      path: base,
      pathParams: baseParams,
      operations: [
        op('get', 'list', 'list', LIST_QUERY),
        op('post', 'post', 'create', WRITE_QUERY),
        op('delete', 'deletecollection', 'deleteCollection', [...DELETE_QUERY, ...LIST_QUERY]),
      ],
    },
    {
      path: `${base}/{name}`,
      pathParams: [...baseParams, 'name'],
      operations: [
        op('get', 'get', 'read', []),
        op('put', 'put', 'replace', WRITE_QUERY),
        op('patch', 'patch', 'patch', PATCH_QUERY),
        op('delete', 'delete', 'delete', DELETE_QUERY),
      ],
    },
  ];
  if (def.namespaced) {
    paths.push({
      path: `${prefix}/${def.plural}`,
      pathParams: [],
      operations: [op('get', 'list', 'listForAllNamespaces', LIST_QUERY)],
    });
  }
  const subs: [string, GroupVersionKind][] = [];
  if (def.subresources.status) subs.push(['status', gvk]);
  if (def.subresources.scale) subs.push(['scale', scale]);
  for (const [sub, kind] of subs) {
    const S = idPart(sub);
    paths.push({
      path: `${base}/{name}/${sub}`,
      pathParams: [...baseParams, 'name'],
      operations: [
        { ...op('get', 'get', 'read', [], kind), operationId: `read${gvId}${scoped}${def.kind}${S}` },
        {
          ...op('put', 'put', 'replace', WRITE_QUERY, kind),
          operationId: `replace${gvId}${scoped}${def.kind}${S}`,
        },
        {
          ...op('patch', 'patch', 'patch', PATCH_QUERY, kind),
          operationId: `patch${gvId}${scoped}${def.kind}${S}`,
        },
      ],
    });
  }
  return paths;
}

/** The defs served at a gvPath (`api/v1`, `apis/apps/v1`) and its group/version; undefined if none. */
export function resolveGvPath(
  defs: readonly ResourceDef[],
  gvPath: string,
): { group: string; version: string; defs: ResourceDef[] } | undefined {
  const gv = servedGroupVersions(defs).find((g) => g.gvPath === gvPath);
  if (!gv) return undefined;
  const served = defs
    .filter((d) => d.group === gv.group && d.versions.includes(gv.version))
    .sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
  return { group: gv.group, version: gv.version, defs: served };
}

/** A cheap fingerprint of everything the OpenAPI documents depend on, for caching. */
export function catalogFingerprint(defs: readonly ResourceDef[]): string {
  return JSON.stringify(
    defs.map((d) => [
      d.group,
      d.versions,
      d.kind,
      d.plural,
      d.namespaced,
      Boolean(d.subresources.status),
      Boolean(d.subresources.scale),
    ]),
  );
}

/**
 * Wraps a builder of catalog-derived data in a small cache keyed by content (`catalogFingerprint`),
 * so servers sharing one process never see each other's documents. A fast path skips fingerprinting
 * when called again with the same def objects and, if given, the same `generation`.
 */
export function memoByCatalog<T>(
  build: (defs: readonly ResourceDef[]) => T,
  limit = 8,
): (defs: readonly ResourceDef[], generation?: number) => T {
  const byContent = new Map<string, T>();
  let last: { defs: ResourceDef[]; generation: number | undefined; value: T } | undefined;
  return (defs, generation) => {
    if (
      last &&
      last.generation === generation &&
      last.defs.length === defs.length &&
      last.defs.every((d, i) => d === defs[i])
    ) {
      return last.value;
    }
    const key = catalogFingerprint(defs);
    let value = byContent.get(key);
    if (value === undefined) {
      value = build(defs);
      if (byContent.size >= limit) byContent.delete(byContent.keys().next().value as string);
      byContent.set(key, value);
    }
    last = { defs: [...defs], generation, value };
    return value;
  };
}

/** `group/version` of a GVK, as `apiVersion` is written. */
export function apiVersionOf(gvk: GroupVersionKind): string {
  return groupVersionString(gvk.group, gvk.version);
}
