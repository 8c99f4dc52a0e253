/**
 * OpenAPI v3 for kubectl: the `/openapi/v3` index and one document per served group/version,
 * each with a PATCH (plus get/put/post/delete) per kind carrying `x-kubernetes-group-version-kind`
 * and a `fieldValidation` query parameter, so kubectl 1.29+ validates server-side
 * (kubectl-wire.md §5.2, §5.3). Minimal schemas (apiVersion, kind, metadata, unknown fields
 * preserved) let `kubectl explain` find kinds; no PATCH declares strategic-merge-patch. Hashes and
 * headers follow kube-openapi's handler3: upper-case hex SHA-512 of the JSON body, `public,
 * immutable` plus a one-year `Expires` on hashed URLs, 301 to the current hash on a stale one.
 * Documents are built once per catalog state and shared, frozen.
 */
import { createHash } from 'node:crypto';
import type { ResourceDef } from '../api/resource-def.ts';
import {
  type KindOperation,
  kindPaths,
  memoByCatalog,
  resolveGvPath,
  schemaName,
  servedGroupVersions,
} from './openapi-paths.ts';
import { KUBERNETES_VERSION } from './version.ts';

/** The `/openapi/v3` index body: each group/version's document URL with its content hash. */
export interface OpenApiV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** Options shared by the OpenAPI builders. */
export interface OpenApiOptions {
  /**
   * Catalog generation the caller bumps whenever a def changes. Documents are cached by content;
   * a repeated call with the same def objects and generation skips even fingerprinting them.
   */
  generation?: number;
}

interface BuiltDoc {
  doc: Record<string, unknown>;
  json: string;
  hash: string;
}

interface BuiltCatalog {
  docs: Map<string, BuiltDoc>;
  index: OpenApiV3Index;
  indexJson: string;
  indexHash: string;
}

function sha512Upper(data: string | Uint8Array): string {
  return createHash('sha512').update(data).digest('hex').toUpperCase();
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function queryParam(name: string): Record<string, unknown> {
  const integer = name === 'limit' || name === 'timeoutSeconds' || name === 'gracePeriodSeconds';
  const boolean =
    name === 'watch' || name === 'allowWatchBookmarks' || name === 'force' || name === 'sendInitialEvents';
  return {
    name,
    in: 'query',
    schema: { type: integer ? 'integer' : boolean ? 'boolean' : 'string', uniqueItems: true },
  };
}

function operation(o: KindOperation, group: string, version: string): Record<string, unknown> {
  const ref = {
    $ref: `#/components/schemas/${schemaName(o.gvk.group || group, o.gvk.version || version, o.gvk.kind)}`,
  };
  const content = { 'application/json': { schema: o.gvk.kind === 'Scale' ? { type: 'object' } : ref } };
  return {
    operationId: o.operationId,
    ...(o.query.length > 0 ? { parameters: o.query.map(queryParam) } : {}),
    // PATCH deliberately has no requestBody: declaring strategic-merge-patch without real schemas
    // makes kubectl compute patches from this document (kubectl-wire.md §5.3 pitfall 3).
    ...(o.body ? { requestBody: { content, required: true } } : {}),
    responses: { '200': { description: 'OK', content } },
    'x-kubernetes-action': o.action,
    'x-kubernetes-group-version-kind': { group: o.gvk.group, version: o.gvk.version, kind: o.gvk.kind },
  };
}

function schema(def: ResourceDef, version: string): Record<string, unknown> {
  return {
    type: 'object',
    description: `${def.kind} (${def.group === '' ? 'core' : def.group}/${version}); fields are validated by the server.`,
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this object.' },
      kind: { type: 'string', description: 'Kind is the REST resource this object represents.' },
      metadata: { type: 'object', description: "Standard object's metadata." },
    },
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': [{ group: def.group, kind: def.kind, version }],
  };
}

function buildDocument(defs: readonly ResourceDef[], gvPath: string): Record<string, unknown> | undefined {
  const resolved = resolveGvPath(defs, gvPath);
  if (!resolved) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const def of resolved.defs) {
    schemas[schemaName(def.group, resolved.version, def.kind)] = schema(def, resolved.version);
    for (const p of kindPaths(def, resolved.version)) {
      const item: Record<string, unknown> = {};
      for (const o of p.operations) item[o.method] = operation(o, def.group, resolved.version);
      if (p.pathParams.length > 0) {
        item.parameters = p.pathParams.map((name) => ({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string' },
        }));
      }
      paths[p.path] = item;
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION },
    paths,
    components: { schemas },
  };
}

function documentUrl(gvPath: string, hash: string): string {
  return `/openapi/v3/${gvPath}?hash=${hash}`;
}

const buildCatalog = memoByCatalog((defs): BuiltCatalog => {
  const docs = new Map<string, BuiltDoc>();
  const index: OpenApiV3Index = { paths: {} };
  for (const { gvPath } of servedGroupVersions(defs)) {
    const doc = buildDocument(defs, gvPath);
    if (!doc) continue;
    const json = JSON.stringify(doc);
    const hash = sha512Upper(json);
    docs.set(gvPath, { doc: deepFreeze(doc), json, hash });
    index.paths[gvPath] = { serverRelativeURL: documentUrl(gvPath, hash) };
  }
  const indexJson = JSON.stringify(index);
  return { docs, index: deepFreeze(index), indexJson, indexHash: sha512Upper(indexJson) };
});

function built(defs: readonly ResourceDef[], options: OpenApiOptions): BuiltCatalog {
  return buildCatalog(defs, options.generation);
}

/** The `/openapi/v3` index covering every served group/version, custom kinds included; frozen. */
export function openApiV3Index(defs: readonly ResourceDef[], options: OpenApiOptions = {}): OpenApiV3Index {
  return built(defs, options).index;
}

/** The OpenAPI v3 document for `api/v1` or `apis/{group}/{version}` (frozen); undefined (404) if not served. */
export function openApiV3Document(
  defs: readonly ResourceDef[],
  gvPath: string,
  options: OpenApiOptions = {},
): Readonly<Record<string, unknown>> | undefined {
  return built(defs, options).docs.get(gvPath)?.doc;
}

/** The content hash of one group/version document, as in its index URL; undefined if not served. */
export function openApiV3Hash(
  defs: readonly ResourceDef[],
  gvPath: string,
  options: OpenApiOptions = {},
): string | undefined {
  return built(defs, options).docs.get(gvPath)?.hash;
}

/** What the HTTP layer should send for an OpenAPI request. */
export interface OpenApiHttpResponse {
  status: 200 | 301 | 304 | 406;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** One `GET /openapi/v3[/…]` request as the HTTP layer parsed it. */
export interface OpenApiV3Request {
  /** URL path without query: `/openapi/v3` or `/openapi/v3/apis/apps/v1`. */
  path: string;
  /** The `hash` query parameter, if any. */
  hash?: string;
  accept?: string;
  ifNoneMatch?: string;
  /** Clock for `Expires`; default now. */
  now?: Date;
}

function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((c) => {
    const t = (c.split(';')[0] ?? '').trim().toLowerCase();
    return t === 'application/json' || t === 'application/*' || t === '*/*';
  });
}

/**
 * Answers `GET /openapi/v3` and `GET /openapi/v3/{gvPath}`: the index (`Cache-Control: no-cache`,
 * ETag), a document (`Content-Type: application/json`, ETag, `Vary: Accept`; with a matching
 * `?hash=` also `Cache-Control: public, immutable` and `Expires` one year ahead), 301 to the
 * current URL on a stale hash, 304 on a matching `If-None-Match`, 406 when JSON is not acceptable.
 * Undefined means 404. Pure apart from the cache; never blocks.
 */
export function serveOpenApiV3(
  defs: readonly ResourceDef[],
  req: OpenApiV3Request,
  options: OpenApiOptions = {},
): OpenApiHttpResponse | undefined {
  const catalog = built(defs, options);
  const path = req.path.replace(/\/+$/, '');
  const notModified = (etag: string, headers: Record<string, string>): OpenApiHttpResponse | undefined =>
    req.ifNoneMatch?.split(',').some((t) => t.trim() === etag || t.trim() === '*')
      ? { status: 304, headers, body: '' }
      : undefined;
  if (path === '/openapi/v3') {
    const etag = `"${catalog.indexHash}"`;
    const headers = { 'Content-Type': 'application/json', ETag: etag, 'Cache-Control': 'no-cache' };
    return notModified(etag, headers) ?? { status: 200, headers, body: catalog.indexJson };
  }
  if (!path.startsWith('/openapi/v3/')) return undefined;
  const gvPath = path.slice('/openapi/v3/'.length);
  const doc = catalog.docs.get(gvPath);
  if (!doc) return undefined;
  if (!acceptsJson(req.accept)) return { status: 406, headers: { Vary: 'Accept' }, body: '' };
  if (req.hash !== undefined && req.hash !== '' && req.hash !== doc.hash) {
    return { status: 301, headers: { Location: documentUrl(gvPath, doc.hash), Vary: 'Accept' }, body: '' };
  }
  const etag = `"${doc.hash}"`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ETag: etag, Vary: 'Accept' };
  if (req.hash) {
    headers['Cache-Control'] = 'public, immutable';
    const expires = new Date(req.now ?? Date.now());
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    headers.Expires = expires.toUTCString();
  }
  return notModified(etag, headers) ?? { status: 200, headers, body: doc.json };
}

export { openApiV2Json, openApiV2Protobuf, serveOpenApiV2 } from './openapi-v2.ts';
