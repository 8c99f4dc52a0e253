/**
 * Non-resource endpoints: discovery (`/api`, `/apis`, `/api/v1`, `/apis/{g}[/{v}]`), OpenAPI
 * (`/openapi/v2`, `/openapi/v3[/…]`), `/version`, health (`/healthz`, `/livez`, `/readyz`) and
 * `/metrics`. Each returns whether it handled the path.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from '../api/errors.ts';
import type { ServerParts } from './context.ts';
import {
  aggregatedDiscovery,
  apiResourceList,
  legacyApiVersions,
  legacyGroup,
  legacyGroupList,
  negotiateDiscovery,
} from './discovery.ts';
import { sendJson } from './http-util.ts';
import type { ApiMetrics } from './metrics.ts';
import { serveOpenApi } from './openapi-http.ts';
import { versionInfo } from './version.ts';

/** Paths anyone may read without a token, as Kubernetes' `system:public-info-viewer` allows. */
export const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export interface NonResourceDeps {
  server: ServerParts;
  metrics: ApiMetrics;
  /** Extra readiness checks (storage reachable, cache started); a string is a failure reason. */
  ready: () => Promise<string | undefined>;
}

/** Serves a non-resource path; throws 404 NotFound for unknown ones. */
export async function handleNonResource(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: NonResourceDeps,
): Promise<void> {
  const defs = deps.server.catalog.all();
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const parts = trimmed.split('/').filter(Boolean);
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw errors.methodNotAllowed(`the server does not allow this method on ${path}`);

  if (trimmed === '/api' || trimmed === '/apis') {
    const form = negotiateDiscovery(req.headers.accept);
    if (form !== 'legacy') {
      const d = aggregatedDiscovery(defs, trimmed === '/api' ? 'core' : 'groups', form);
      res.setHeader('Vary', 'Accept');
      sendJson(res, 200, d.body, d.contentType);
      return;
    }
    sendJson(res, 200, trimmed === '/api' ? legacyApiVersions() : legacyGroupList(defs));
    return;
  }
  if (parts[0] === 'api' && parts.length === 2) {
    const list = apiResourceList(defs, '', parts[1]!);
    if (!list) throw notFound(path);
    sendJson(res, 200, list);
    return;
  }
  if (parts[0] === 'apis' && (parts.length === 2 || parts.length === 3)) {
    const body =
      parts.length === 2 ? legacyGroup(defs, parts[1]!) : apiResourceList(defs, parts[1]!, parts[2]!);
    if (!body) throw notFound(path);
    sendJson(res, 200, body);
    return;
  }
  if (parts[0] === 'openapi') {
    serveOpenApi(req, res, trimmed, defs, deps.server.catalog.generation);
    return;
  }
  switch (trimmed) {
    case '/version':
      sendJson(res, 200, versionInfo());
      return;
    case '/healthz':
    case '/livez':
      sendText(res, 200, 'ok');
      return;
    case '/readyz': {
      const reason = await deps.ready();
      if (reason) sendText(res, 500, `[-]${reason}\nreadyz check failed`);
      else sendText(res, 200, 'ok');
      return;
    }
    case '/metrics': {
      const out = await deps.metrics.render();
      res.writeHead(200, { 'Content-Type': out.contentType });
      res.end(out.body);
      return;
    }
    default:
      throw notFound(path);
  }
}

function notFound(_path: string): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', { details: {} });
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
