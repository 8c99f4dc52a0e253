/**
 * `GET /api/v1/namespaces/NS/pods/NAME/log`, what `kubectl logs` calls: the API server hands the
 * request to this handler (its `subresourceHandlers['pods/log']`), which reads the container's
 * output from the pod runtime. Errors are Kubernetes' own: 404 for a missing pod, 400 for an
 * ambiguous or unknown container, a container that has not started, or no previous instance.
 * With `follow` the response streams until the container stops or the client goes away.
 */
import { errors } from '../api/errors.ts';
import type { RequestContext, SubresourceHandler } from '../apiserver/index.ts';
import type { LogOptions, PodRuntime } from '../runtime/types.ts';

// biome-ignore lint/suspicious/noExplicitAny: pod specs are open JSON
type Obj = Record<string, any>;

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function int(query: URLSearchParams, name: string, min: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw errors.badRequest(`${name}: Invalid value: "${raw}": must be greater than or equal to ${min}`);
  }
  return n;
}

/** `PodLogOptions` from the query string; throws 400 for malformed numbers. */
export function logOptions(query: URLSearchParams): LogOptions {
  const options: LogOptions = {};
  if (isTrue(query.get('previous'))) options.previous = true;
  if (isTrue(query.get('follow'))) options.follow = true;
  if (isTrue(query.get('timestamps'))) options.timestamps = true;
  const tail = int(query, 'tailLines', 0);
  if (tail !== undefined) options.tailLines = tail;
  const since = int(query, 'sinceSeconds', 1);
  if (since !== undefined) options.sinceSeconds = since;
  const limit = int(query, 'limitBytes', 1);
  if (limit !== undefined) options.limitBytes = limit;
  const sinceTime = query.get('sinceTime');
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime)))
      throw errors.badRequest(`sinceTime: Invalid value: "${sinceTime}"`);
    options.sinceTime = sinceTime;
  }
  return options;
}

/** The container `kubectl logs` means, or the 400 Kubernetes gives. */
export function chooseContainer(pod: Obj, requested: string): string {
  const name = pod.metadata?.name ?? '';
  const names = (v: unknown): string[] => (Array.isArray(v) ? v.map((c: Obj) => String(c?.name)) : []);
  const main = names(pod.spec?.containers);
  const init = names(pod.spec?.initContainers);
  const ephemeral = names(pod.spec?.ephemeralContainers);
  if (requested === '') {
    if (main.length === 1) return main[0] ?? '';
    let message = `a container name must be specified for pod ${name}, choose one of: [${main.join(' ')}]`;
    if (init.length > 0) message += ` or one of the init containers: [${init.join(' ')}]`;
    throw errors.badRequest(message);
  }
  if (![...main, ...init, ...ephemeral].includes(requested)) {
    throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

/** The `pods/log` handler over `runtime`; see the file comment. */
export function podLogHandler(runtime: PodRuntime): SubresourceHandler {
  return async (ctx: RequestContext) => {
    if ((ctx.req.method ?? 'GET') !== 'GET')
      throw errors.methodNotAllowed(`${ctx.req.method} is not supported on pods/log`);
    const pod = await ctx.server.registry.get(ctx.def, ctx.info.namespace, ctx.info.name);
    const container = chooseContainer(pod, ctx.query.get('container') ?? '');
    const options = logOptions(ctx.query);
    const uid = pod.metadata.uid ?? '';
    let out: ReturnType<PodRuntime['logs']>;
    try {
      if (runtime.podStatus(uid) === undefined) {
        if (!pod.spec?.nodeName)
          throw errors.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
        const reason = options.previous ? undefined : 'ContainerCreating';
        throw errors.badRequest(
          reason === undefined
            ? `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`
            : `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`,
        );
      }
      out = runtime.logs(uid, container, options);
    } catch (err) {
      if ((err as { name?: string }).name !== 'RuntimeError') throw err;
      const e = err as Error & { code: string };
      throw e.code === 'NotFound'
        ? errors.notFound({ group: '', resource: 'pods', name: ctx.info.name })
        : errors.badRequest(e.message);
    }
    const { res } = ctx;
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache' });
    if (typeof out === 'string') {
      res.end(out);
      return;
    }
    res.flushHeaders();
    const stream = out;
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.destroy();
        resolve();
      };
      res.once('close', done);
      stream.once('error', () => res.destroy());
      stream.once('end', () => res.end());
      stream.pipe(res, { end: false });
    });
  };
}
