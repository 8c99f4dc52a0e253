/**
 * The EndpointSlice controller: for every Service with a selector, keeps the EndpointSlices
 * labelled `kubernetes.io/service-name=<svc>` and managed-by `endpointslice-controller.k8s.io`
 * equal to `desiredSlices` — updating slices in place, creating new ones (generateName
 * `<svc>-`, owned by the Service) and deleting extras. Reacts to Service, Pod and slice changes.
 */
import { isDeepStrictEqual } from 'node:util';
import { isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import { objectKey } from '../../controller/store.ts';
import type { ControllerContext } from '../common/context.ts';
import { BY_NAMESPACE, newControllerRef } from '../common/pods.ts';
import {
  type DesiredSlice,
  desiredSlices,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  serviceSelects,
} from './slices.ts';

const BY_SERVICE = 'byServiceName';

/** Builds the EndpointSlice controller on the shared factory; the caller starts it. */
export function newEndpointSliceController(ctx: ControllerContext): Controller {
  const { client } = ctx;
  const services = ctx.factory.informer(resources.services);
  services.addIndex(BY_NAMESPACE, (o) => [o.metadata.namespace ?? '']);
  const pods = ctx.factory.informer(resources.pods);
  pods.addIndex(BY_NAMESPACE, (o) => [o.metadata.namespace ?? '']);
  const slices = ctx.factory.informer(resources.endpointslices);
  slices.addIndex(BY_SERVICE, (o) => {
    const svc = o.metadata.labels?.[SERVICE_NAME_LABEL];
    return svc && o.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY
      ? [`${o.metadata.namespace}/${svc}`]
      : [];
  });

  const reconcile = async (key: string) => {
    const svc = services.store.get(key);
    const existing = slices.store.byIndex(BY_SERVICE, key).filter((s) => !s.metadata.deletionTimestamp);
    const managed =
      svc &&
      !svc.metadata.deletionTimestamp &&
      svc.spec?.type !== 'ExternalName' &&
      Object.keys(svc.spec?.selector ?? {}).length > 0;
    if (!svc || !managed) {
      if (svc) for (const s of existing) await remove(s);
      return;
    }
    const desired = desiredSlices(svc, pods.store.byIndex(BY_NAMESPACE, svc.metadata.namespace ?? ''));
    const unused = [...existing];
    const take = (d: DesiredSlice): KubeObject | undefined => {
      const ports = JSON.stringify(d.ports);
      let i = unused.findIndex((s) => JSON.stringify(s.ports ?? []) === ports);
      if (i < 0) i = 0;
      return unused.splice(i, 1)[0];
    };
    for (const d of desired) {
      const slice = sliceFor(svc, d);
      const old = take(d);
      if (!old) {
        await client.create(resources.endpointslices, slice);
        continue;
      }
      const metadata = { ...structuredClone(old.metadata), labels: slice.metadata.labels ?? {} };
      metadata.ownerReferences = slice.metadata.ownerReferences ?? [];
      const next: KubeObject = { ...structuredClone(old), ...slice, metadata };
      if (!sameSlice(old, next)) await client.update(resources.endpointslices, next);
    }
    for (const s of unused) await remove(s);
  };

  async function remove(slice: KubeObject): Promise<void> {
    try {
      await client.delete(resources.endpointslices, {
        name: slice.metadata.name ?? '',
        namespace: slice.metadata.namespace,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  const controller = new Controller({
    name: 'endpointslice',
    reconcile,
    workers: ctx.workers ?? 2,
    informers: [services, pods, slices],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  controller.watch(services);
  controller.watch(slices, (s) => {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY
      ? [`${s.metadata.namespace}/${svc}`]
      : [];
  });
  const selecting = (pod: KubeObject) =>
    services.store
      .byIndex(BY_NAMESPACE, pod.metadata.namespace ?? '')
      .filter((svc) => serviceSelects(svc, pod))
      .map(objectKey);
  pods.addHandlers({
    onAdd: (pod) => {
      for (const k of selecting(pod)) controller.enqueue(k);
    },
    onUpdate: (old, pod) => {
      if (old === pod) return;
      for (const k of new Set([...selecting(old), ...selecting(pod)])) controller.enqueue(k);
    },
    onDelete: (pod) => {
      for (const k of selecting(pod)) controller.enqueue(k);
    },
  });
  return controller;
}

/** The slice object for one desired slice of `svc` (without name; created with generateName). */
function sliceFor(svc: KubeObject, d: DesiredSlice): KubeObject {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace ?? 'default',
      labels,
      ownerReferences: [newControllerRef({ ...svc, apiVersion: 'v1', kind: 'Service' })],
    },
    addressType: 'IPv4',
    endpoints: d.endpoints,
    ports: d.ports,
  };
}

function sameSlice(a: KubeObject, b: KubeObject): boolean {
  const norm = (s: KubeObject) => ({
    labels: s.metadata.labels ?? {},
    owners: s.metadata.ownerReferences ?? [],
    addressType: s.addressType,
    endpoints: s.endpoints ?? [],
    ports: s.ports ?? [],
  });
  return isDeepStrictEqual(norm(a), norm(b));
}
