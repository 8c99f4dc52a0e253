/**
 * The namespace sync controller (Karmada's `namespace`, §4.7): every control-plane namespace is
 * propagated to every cluster as a Work, without a policy; clusters that join later receive the
 * existing namespaces. Skipped: reserved namespaces (`karmada-system`, `karmada-cluster`,
 * `karmada-es-*`), `default`, `kube-*`, and namespaces labelled
 * `namespace.karmada.io/skip-auto-propagation=true` (which stops propagation to new clusters
 * only: existing Works stay). Works are owned by the Namespace, so deleting it removes them.
 */
import { isAlreadyExists } from '../../api/errors.ts';
import {
  CLUSTER_SECRET_NAMESPACE,
  EXECUTION_NAMESPACE_PREFIX,
  executionNamespace,
  LABELS,
  workName,
} from '../../api/karmada/names.ts';
import type { Cluster, Work } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import type { FederationContext } from '../../federation/context.ts';
import { jsonEqual } from '../../federation/status-write.ts';

/** True for namespaces Karmada never auto-propagates. */
export function skippedNamespace(ns: KubeObject): boolean {
  const name = ns.metadata.name ?? '';
  return (
    name === 'default' ||
    name === 'karmada-system' ||
    name === CLUSTER_SECRET_NAMESPACE ||
    name.startsWith(EXECUTION_NAMESPACE_PREFIX) ||
    /^kube-.*$/.test(name) ||
    ns.metadata.labels?.[LABELS.skipAutoPropagation] === 'true'
  );
}

/** The namespace manifest sent to members: name, labels and annotations, managed label set. */
function manifestOf(ns: KubeObject): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns.metadata.name ?? '',
      labels: { ...(ns.metadata.labels ?? {}), [LABELS.managed]: 'true' },
      ...(ns.metadata.annotations ? { annotations: { ...ns.metadata.annotations } } : {}),
    },
  };
}

/** Builds the namespace sync controller; keys are namespace names. */
export function newNamespaceSyncController(ctx: FederationContext): Controller {
  const { client } = ctx;
  const namespaces = ctx.factory.informer(resources.namespaces);
  const clusters = ctx.factory.informer<Cluster>(resources.clusters);
  const works = ctx.factory.informer<Work>(resources.works);

  const reconcile = async (name: string) => {
    const ns = namespaces.store.get(name);
    if (!ns || ns.metadata.deletionTimestamp || skippedNamespace(ns)) return;
    const manifest = manifestOf(ns);
    const wname = workName('Namespace', name);
    for (const cluster of clusters.store.list()) {
      if (cluster.metadata.deletionTimestamp) continue;
      const wns = executionNamespace(cluster.metadata.name ?? '');
      if (!namespaces.store.get(wns)) continue; // the cluster controller creates it; we are re-enqueued
      const existing = works.store.get(`${wns}/${wname}`);
      if (existing) {
        if (jsonEqual(existing.spec.workload?.manifests, [manifest])) continue;
        const next = structuredClone(existing) as Work;
        next.spec = { ...next.spec, workload: { manifests: [manifest] } };
        await client.update(resources.works, next);
        continue;
      }
      const work: Work = {
        apiVersion: 'work.karmada.io/v1alpha1',
        kind: 'Work',
        metadata: {
          name: wname,
          namespace: wns,
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Namespace',
              name,
              uid: ns.metadata.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { workload: { manifests: [manifest] } },
      };
      try {
        await client.create(resources.works, work);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  };

  const controller = new Controller({
    name: 'namespace-sync',
    reconcile,
    workers: ctx.workers ?? 1,
    informers: [namespaces, clusters, works],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  const all = () => {
    for (const ns of namespaces.store.list()) controller.enqueue(ns);
  };
  namespaces.addHandlers({
    onAdd: (ns) => {
      controller.enqueue(ns);
      // A new execution namespace means a cluster is ready to receive namespaces.
      if ((ns.metadata.name ?? '').startsWith(EXECUTION_NAMESPACE_PREFIX)) all();
    },
    onUpdate: (_o, ns) => controller.enqueue(ns),
  });
  clusters.addHandlers({ onAdd: all });
  return controller;
}
