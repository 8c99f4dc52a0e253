/**
 * The HTTP(S) front of the API server: authentication, authorization, routing to resource and
 * non-resource handlers, metrics, and errors rendered as `Status`. Handlers never crash the
 * process: every failure becomes a response.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { ApiError, errors } from '../api/errors.ts';
import type { RequestContext, ServerParts } from './context.ts';
import { handleResource } from './handlers.ts';
import { sendError } from './http-util.ts';
import { type ApiMetrics, requestKind } from './metrics.ts';
import { handleNonResource, type NonResourceDeps, PUBLIC_PATHS } from './nonresource.ts';
import { parseRequestPath, type ResourceRequest } from './request-info.ts';
import type { ApiServerOptions, UserInfo } from './types.ts';

const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const ADMIN: UserInfo = { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

export interface HttpServerDeps {
  parts: ServerParts;
  metrics: ApiMetrics;
  options: ApiServerOptions;
  ready: NonResourceDeps['ready'];
}

/** Creates (but does not start) the HTTP or HTTPS server. */
export function createHttpServer(deps: HttpServerDeps): http.Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(req, res, deps);
  };
  const tls = deps.options.tls;
  const server = tls
    ? https.createServer(
        {
          cert: tls.cert,
          key: tls.key,
          // Ask for a client certificate but accept connections without one (bearer tokens).
          ...(tls.clientCa ? { requestCert: true, rejectUnauthorized: false, ca: tls.clientCa } : {}),
        },
        handler,
      )
    : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** The user a verified client certificate names (CN user, O groups), if the connection has one. */
function certificateUser(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert?.subject || !(cert.ext_key_usage ?? []).includes(CLIENT_AUTH_OID)) return undefined;
  const cn: unknown = cert.subject.CN;
  const o: unknown = cert.subject.O;
  const name = Array.isArray(cn) ? String(cn[0] ?? '') : typeof cn === 'string' ? cn : '';
  if (name === '') return undefined;
  const groups = o === undefined ? [] : Array.isArray(o) ? o.map(String) : [String(o)];
  return { name, groups: [...groups, 'system:authenticated'] };
}

async function authenticate(req: IncomingMessage, options: ApiServerOptions): Promise<UserInfo | undefined> {
  if (!options.authenticate) return ADMIN;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return header === '' && options.tls?.clientCa ? certificateUser(req) : undefined;
  return options.authenticate(match[1]!);
}

/** True when a request without credentials may proceed as `system:anonymous`. */
function anonymousAllowed(
  options: ApiServerOptions,
  info: ResourceRequest,
  method: string,
  query: URLSearchParams,
) {
  if (!options.authorize) return false;
  return (
    options.authorize(ANONYMOUS, {
      verb: kubeVerb(method, info, query),
      group: info.group,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    }) === undefined
  );
}

async function serve(req: IncomingMessage, res: ServerResponse, deps: HttpServerDeps): Promise<void> {
  const started = process.hrtime.bigint();
  const { parts, metrics, options } = deps;
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://apiserver');
  } catch {
    sendError(res, errors.badRequest('malformed request URL'));
    return;
  }
  const info = parseRequestPath(url.pathname);
  let verb = req.method ?? 'GET';
  let code = 200;
  let resourceInfo: ResourceRequest | undefined;
  const kind = requestKind(req.method ?? 'GET');
  metrics.inflight(+1, kind);
  try {
    let user = await authenticate(req, options);
    const isPublic = info.kind === 'nonResource' && PUBLIC_PATHS.has(url.pathname.replace(/\/+$/, '') || '/');
    // Anonymous only when no credentials were presented: a wrong token is 401, as in Kubernetes.
    const presented = (req.headers.authorization ?? '') !== '';
    if (
      !user &&
      !presented &&
      info.kind !== 'nonResource' &&
      anonymousAllowed(options, info, verb, url.searchParams)
    )
      user = ANONYMOUS;
    if (!user && !isPublic) throw errors.unauthorized();
    if (info.kind === 'nonResource') {
      authorize(
        options,
        user ?? ANONYMOUS,
        {
          verb: verb.toLowerCase(),
          group: '',
          resource: '',
          subresource: '',
          namespace: '',
          name: '',
          path: url.pathname,
        },
        isPublic,
      );
      await handleNonResource(req, res, url.pathname, { server: parts, metrics, ready: deps.ready });
    } else {
      resourceInfo = info;
      const def = parts.catalog.lookup(info.group, info.version, info.resource);
      if (!def)
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {
          details: {},
        });
      if (info.namespace && !def.namespaced)
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {
          details: {},
        });
      authorize(options, user!, {
        verb: kubeVerb(req.method ?? 'GET', info, url.searchParams),
        group: info.group,
        resource: info.resource,
        subresource: info.subresource,
        namespace: info.namespace,
        name: info.name,
      });
      const ctx: RequestContext = { req, res, info, def, query: url.searchParams, user, server: parts };
      verb = await handleResource(ctx);
    }
    code = res.statusCode;
  } catch (err) {
    const apiErr = sendError(res, err);
    code = apiErr.code;
    if (apiErr.code >= 500) parts.logger.error({ err, method: req.method, url: req.url }, 'request failed');
    else drain(req);
  } finally {
    metrics.inflight(-1, kind);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.observeRequest({
      verb,
      group: resourceInfo?.group ?? '',
      version: resourceInfo?.version ?? '',
      resource: resourceInfo?.resource ?? '',
      subresource: resourceInfo?.subresource ?? '',
      scope: resourceInfo
        ? resourceInfo.name
          ? 'resource'
          : resourceInfo.namespace
            ? 'namespace'
            : 'cluster'
        : '',
      code,
      seconds,
      dryRun: url.searchParams.get('dryRun') ?? '',
    });
  }
}

/** The Kubernetes verb for authorization: get/list/watch/create/update/patch/delete/deletecollection. */
function kubeVerb(method: string, info: ResourceRequest, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
      if (info.name) return 'get';
      return query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return info.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

function authorize(
  options: ApiServerOptions,
  user: UserInfo,
  request: Parameters<NonNullable<ApiServerOptions['authorize']>>[1],
  isPublic = false,
): void {
  if (isPublic || !options.authorize) return;
  const reason = options.authorize(user, request);
  if (reason === undefined) return;
  const what = request.path
    ? `cannot ${request.verb} path "${request.path}"`
    : `cannot ${request.verb} resource "${request.resource}${request.subresource ? `/${request.subresource}` : ''}" in API group "${request.group}"${request.namespace ? ` in the namespace "${request.namespace}"` : ' at the cluster scope'}`;
  throw new ApiError(
    403,
    'Forbidden',
    `${request.resource ? `${request.resource}${request.group ? `.${request.group}` : ''}` : 'forbidden'}${request.name ? ` "${request.name}"` : ''} is forbidden: User "${user.name}" ${what}: ${reason}`,
    {
      details: { name: request.name, group: request.group, kind: request.resource },
    },
  );
}

/** Discards an unread request body so the connection can be reused. */
function drain(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}
