/**
 * REST handlers for resources: one function per verb, translating query parameters and bodies
 * into Registry calls and results into JSON, Table or PartialObjectMetadata responses.
 */
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { RequestContext } from './context.ts';
import { decodeBody, mediaType, negotiateRepresentation, readBody, sendJson } from './http-util.ts';
import { atVersion } from './keys.ts';
import { target } from './registry.ts';
import type { DeleteOptions, PropagationPolicy } from './registry-delete.ts';
import type { ListOptions } from './registry-list.ts';
import { applyScale, toScale } from './scale.ts';
import { type IncludeObject, partialMetadata, toTable } from './tables.ts';
import { serveWatch } from './watch.ts';

/** Routes a resource request to its verb; returns the verb name for metrics. */
export async function handleResource(ctx: RequestContext): Promise<string> {
  const { req, info } = ctx;
  const method = req.method ?? 'GET';
  const special = ctx.server.subresourceHandlers.get(`${info.resource}/${info.subresource}`);
  if (info.subresource && special) {
    await special(ctx);
    return method === 'GET' ? 'GET' : method;
  }
  if (info.subresource && info.subresource !== 'status' && info.subresource !== 'scale') {
    throw errors.notFound({
      group: info.group,
      resource: `${info.resource}/${info.subresource}`,
      name: info.name,
    });
  }
  if (info.subresource === 'status' && !ctx.def.subresources.status)
    throw errors.notFound(target(ctx.def, info.name));
  if (!info.name) {
    if (method === 'GET') {
      if (isTrue(ctx.query.get('watch'))) {
        await serveWatch(ctx);
        return 'WATCH';
      }
      await list(ctx);
      return 'LIST';
    }
    if (method === 'POST') {
      await create(ctx);
      return 'POST';
    }
    if (method === 'DELETE') {
      await deleteCollection(ctx);
      return 'DELETE';
    }
    throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
  switch (method) {
    case 'GET':
      await get(ctx);
      return 'GET';
    case 'PUT':
      await update(ctx);
      return 'PUT';
    case 'PATCH':
      return patch(ctx);
    case 'DELETE':
      await remove(ctx);
      return 'DELETE';
    default:
      throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function dryRun(ctx: RequestContext): boolean {
  const values = ctx.query.getAll('dryRun');
  for (const v of values)
    if (v !== 'All') throw errors.badRequest(`Invalid dry run value: ${v}; the only valid value is All`);
  return values.length > 0;
}

function includeObject(ctx: RequestContext): IncludeObject {
  const v = ctx.query.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  if (v) throw errors.badRequest(`includeObject must be one of None, Metadata, Object, got "${v}"`);
  return 'Metadata';
}

/** Sends one object in the representation the client asked for. */
function sendObject(ctx: RequestContext, code: number, obj: KubeObject): void {
  const accept = negotiateRepresentation(ctx.req.headers.accept);
  const out = atVersion(obj, ctx.def, ctx.info.version);
  if (accept.as === 'table') {
    const table = toTable(ctx.def, [out], {
      include: includeObject(ctx),
      metaVersion: accept.metaVersion,
      ...rv(out),
    });
    sendJson(ctx.res, code, table);
  } else if (accept.as === 'partialMetadata') {
    sendJson(ctx.res, code, partialMetadata(out, accept.metaVersion));
  } else {
    sendJson(ctx.res, code, out);
  }
}

function rv(obj: KubeObject): { resourceVersion?: string } {
  return obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {};
}

async function body(ctx: RequestContext): Promise<unknown> {
  const raw = await readBody(ctx.req, ctx.server.maxBodyBytes);
  return decodeBody(raw, ctx.req.headers['content-type']);
}

function objectBody(value: unknown): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest('the body of the request must be a JSON object');
  }
  return value as KubeObject;
}

async function get(ctx: RequestContext): Promise<void> {
  const { def, info } = ctx;
  const obj = await ctx.server.registry.get(def, info.namespace, info.name, info.version);
  if (info.subresource === 'scale') sendJson(ctx.res, 200, toScale(def, obj));
  else sendObject(ctx, 200, obj);
}

function listOptions(ctx: RequestContext): ListOptions {
  const q = ctx.query;
  const opts: ListOptions = {};
  const label = q.get('labelSelector');
  const field = q.get('fieldSelector');
  const limit = q.get('limit');
  const cont = q.get('continue');
  const rvq = q.get('resourceVersion');
  const match = q.get('resourceVersionMatch');
  if (label) opts.labelSelector = label;
  if (field) opts.fieldSelector = field;
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0)
      throw errors.badRequest(`limit must be a non-negative integer, got "${limit}"`);
    opts.limit = n;
  }
  if (cont) opts.continue = cont;
  if (rvq) opts.resourceVersion = rvq;
  if (match) opts.resourceVersionMatch = match;
  return opts;
}

async function list(ctx: RequestContext): Promise<void> {
  const { def, info } = ctx;
  const result = await ctx.server.registry.list(def, info.namespace, listOptions(ctx), info.version);
  const accept = negotiateRepresentation(ctx.req.headers.accept);
  if (accept.as === 'table') {
    const table = toTable(def, result.items, {
      include: includeObject(ctx),
      metaVersion: accept.metaVersion,
      ...(result.metadata.resourceVersion ? { resourceVersion: result.metadata.resourceVersion } : {}),
      ...(result.metadata.continue ? { continue: result.metadata.continue } : {}),
    });
    sendJson(ctx.res, 200, table);
  } else if (accept.as === 'partialMetadata') {
    sendJson(ctx.res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${accept.metaVersion}`,
      metadata: result.metadata,
      items: result.items.map((o) => partialMetadata(o, accept.metaVersion)),
    });
  } else {
    sendJson(ctx.res, 200, result);
  }
}

async function create(ctx: RequestContext): Promise<void> {
  const obj = objectBody(await body(ctx));
  const created = await ctx.server.registry.create(ctx.def, ctx.info.namespace, obj, writeOptions(ctx));
  sendObject(ctx, 201, created);
}

function writeOptions(ctx: RequestContext): {
  dryRun: boolean;
  fieldManager?: string;
  subresource?: string;
  user?: import('./types.ts').UserInfo;
} {
  const out: {
    dryRun: boolean;
    fieldManager?: string;
    subresource?: string;
    user?: import('./types.ts').UserInfo;
  } = { dryRun: dryRun(ctx) };
  const fm = ctx.query.get('fieldManager');
  if (fm) out.fieldManager = fm;
  if (ctx.info.subresource) out.subresource = ctx.info.subresource;
  if (ctx.user) out.user = ctx.user;
  return out;
}

async function update(ctx: RequestContext): Promise<void> {
  const { def, info } = ctx;
  const obj = objectBody(await body(ctx));
  const registry = ctx.server.registry;
  if (info.subresource === 'scale') {
    const updated = await registry.guaranteedUpdate(
      def,
      info.namespace,
      info.name,
      (o) => applyScale(def, o, obj),
      { dryRun: dryRun(ctx) },
    );
    sendJson(ctx.res, 200, toScale(def, updated));
    return;
  }
  const updated = await registry.update(def, info.namespace, info.name, obj, writeOptions(ctx));
  sendObject(ctx, 200, updated);
}

async function patch(ctx: RequestContext): Promise<string> {
  const { def, info } = ctx;
  const contentType = mediaType(ctx.req.headers['content-type']);
  const patchBody = await body(ctx);
  const registry = ctx.server.registry;
  const isApply = contentType === 'application/apply-patch+yaml';
  if (info.subresource === 'scale') {
    const { applyPatchByContentType } = await import('./patch/index.ts');
    const updated = await registry.guaranteedUpdate(
      def,
      info.namespace,
      info.name,
      (o) => {
        const scale = applyPatchByContentType(contentType, toScale(def, o), patchBody, {
          manager: '',
          force: true,
        }) as KubeObject;
        return applyScale(def, o, scale);
      },
      { dryRun: dryRun(ctx) },
    );
    sendJson(ctx.res, 200, toScale(def, updated));
    return 'PATCH';
  }
  const force = ctx.query.get('force');
  const { object, created } = await registry.patch(
    def,
    info.namespace,
    info.name,
    contentType,
    patchBody,
    { ...writeOptions(ctx), force: force === 'true' },
    info.version,
  );
  sendObject(ctx, created ? 201 : 200, object);
  return isApply ? 'APPLY' : 'PATCH';
}

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const opts: DeleteOptions = { dryRun: dryRun(ctx) };
  const raw = await readBody(ctx.req, ctx.server.maxBodyBytes);
  let parsed: Record<string, unknown> = {};
  if (raw.length > 0 && raw.toString().trim() !== '')
    parsed = objectBody(decodeBody(raw, ctx.req.headers['content-type'] ?? 'application/json'));
  const policy =
    (parsed.propagationPolicy as string | undefined) ?? ctx.query.get('propagationPolicy') ?? undefined;
  if (policy !== undefined) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw errors.badRequest(
        `propagationPolicy must be one of Orphan, Background, Foreground, got "${policy}"`,
      );
    }
    opts.propagationPolicy = policy as PropagationPolicy;
  } else if (parsed.orphanDependents === true || ctx.query.get('orphanDependents') === 'true') {
    opts.propagationPolicy = 'Orphan';
  }
  if (Array.isArray(parsed.dryRun) && parsed.dryRun.includes('All')) opts.dryRun = true;
  const pre = parsed.preconditions as { uid?: string; resourceVersion?: string } | undefined;
  if (pre && typeof pre === 'object') opts.preconditions = pre;
  if (ctx.user) opts.user = ctx.user;
  return opts;
}

async function remove(ctx: RequestContext): Promise<void> {
  const { def, info } = ctx;
  const { object, deleted } = await ctx.server.registry.delete(
    def,
    info.namespace,
    info.name,
    await deleteOptions(ctx),
  );
  sendObject(ctx, deleted ? 200 : 202, object);
}

async function deleteCollection(ctx: RequestContext): Promise<void> {
  const { def, info } = ctx;
  const opts = await deleteOptions(ctx);
  const registry = ctx.server.registry;
  const items = await registry.list(def, info.namespace, listOptions(ctx), info.version);
  for (const item of items.items) {
    try {
      await registry.delete(def, item.metadata.namespace ?? '', item.metadata.name!, opts);
    } catch (err) {
      if ((err as { reason?: string }).reason !== 'NotFound') throw err;
    }
  }
  sendJson(ctx.res, 200, items);
}
