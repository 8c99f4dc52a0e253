/**
 * `POST pods/{name}/binding`: how a scheduler assigns a pod to a node. Like kube-apiserver, it
 * sets `spec.nodeName` and the `PodScheduled=True` condition in one write, and refuses a pod
 * that is already assigned (409) or being deleted.
 */
import { ApiError, errors } from '../api/errors.ts';
import type { RequestContext } from './context.ts';
import { decodeBody, readBody, sendJson } from './http-util.ts';
import { nowTimestamp } from './object-meta.ts';

/** Serves the binding subresource of pods. */
export async function serveBinding(ctx: RequestContext): Promise<void> {
  const { req, info, def, server } = ctx;
  if (req.method !== 'POST')
    throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  const body = decodeBody(await readBody(req, server.maxBodyBytes), req.headers['content-type']) as {
    target?: { name?: unknown; kind?: unknown };
  };
  const node = body?.target?.name;
  if (typeof node !== 'string' || node === '') {
    throw errors.invalid('Binding', '', info.name, [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' },
    ]);
  }
  await server.registry.guaranteedUpdate(
    def,
    info.namespace,
    info.name,
    (pod) => {
      if (pod.metadata.deletionTimestamp) {
        throw errors.conflict(
          { group: '', resource: 'pods', name: info.name },
          'pod is being deleted, cannot be assigned to a host',
        );
      }
      const current = pod.spec?.nodeName;
      if (current) {
        throw new ApiError(409, 'Conflict', `pod ${info.name} is already assigned to node "${current}"`, {
          details: { name: info.name, kind: 'pods', group: '' },
        });
      }
      pod.spec = { ...(pod.spec ?? {}), nodeName: node };
      const conditions = (pod.status?.conditions ?? []).filter(
        (c: { type: string }) => c.type !== 'PodScheduled',
      );
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: nowTimestamp(),
      });
      pod.status = { ...(pod.status ?? {}), conditions };
      return pod;
    },
    { subresource: 'binding', ...(ctx.user ? { user: ctx.user } : {}) },
  );
  sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
