/**
 * The binding controller (Karmada §4.1): for every scheduled (Cluster)ResourceBinding, one Work
 * per target cluster in `karmada-es-<cluster>`; Works of clusters no longer targeted are deleted;
 * a binding being deleted has its Works deleted before its finalizer is released. Keys are
 * `rb|ns/name` and `crb|name`. Bindings are re-synced when their Works, override policies or
 * clusters change.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import {
  clusterOfExecutionNamespace,
  executionNamespace,
  FINALIZERS,
  LABELS,
} from '../../api/karmada/names.ts';
import type { Cluster, OverridePolicy, ResourceBinding, Work } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { Discovery } from '../../client/discovery.ts';
import { resources } from '../../client/resources.ts';
import type { EventRecorder } from '../../controller/events.ts';
import type { InformerFactory } from '../../controller/factory.ts';
import type { Informer } from '../../controller/informer.ts';
import { Controller, type Result } from '../../controller/reconciler.ts';
import { objectKey } from '../../controller/store.ts';
import { atLeastVersion } from '../common/resource-version.ts';
import { renderWork, targetClusters } from './work.ts';

const BY_BINDING_ID = 'bindingPermanentId';

/** Options for {@link newBindingController}. */
export interface BindingControllerOptions {
  client: Client;
  factory: InformerFactory;
  logger?: Logger | undefined;
  events?: EventRecorder | undefined;
  /** Concurrent reconciles; default 5. */
  workers?: number | undefined;
}

/** A binding without what never changes a Work: status, resourceVersion and managedFields. */
function renderRelevant(b: ResourceBinding): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = b.metadata;
  return [meta, b.spec];
}

/** A Work without its status, resourceVersion and managedFields. */
function workRelevant(w: Work): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = w.metadata;
  return [meta, w.spec];
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Builds the binding controller on the shared factory; the caller starts factory and controller. */
export function newBindingController(options: BindingControllerOptions): Controller {
  const { client, factory, events } = options;
  const discovery = new Discovery({ client });
  const rbs = factory.informer<ResourceBinding>(resources.resourcebindings);
  const crbs = factory.informer<ResourceBinding>(resources.clusterresourcebindings);
  const works = factory.informer<Work>(resources.works);
  works.addIndex(BY_BINDING_ID, (w) =>
    [LABELS.rbPermanentId, LABELS.crbPermanentId].flatMap((k) => {
      const v = w.metadata.labels?.[k];
      return v ? [`${k}=${v}`] : [];
    }),
  );
  const ops = factory.informer<OverridePolicy>(resources.overridepolicies);
  const cops = factory.informer<OverridePolicy>(resources.clusteroverridepolicies);
  const clusters = factory.informer<Cluster>(resources.clusters);
  const knownNamespaces = new Set<string>();

  async function ensureNamespace(name: string): Promise<void> {
    if (knownNamespaces.has(name)) return;
    try {
      await client.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    knownNamespaces.add(name);
  }

  async function clusterFor(name: string): Promise<Pick<Cluster, 'metadata' | 'spec'>> {
    const cached = clusters.store.get(name);
    if (cached) return cached;
    try {
      return await client.get<Cluster>(resources.clusters, { name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // No Cluster object: only name-based override rules can match.
      return { metadata: { name }, spec: { syncMode: 'Push' } };
    }
  }

  async function fetchTemplate(binding: ResourceBinding): Promise<KubeObject | undefined> {
    const r = binding.spec.resource;
    const ref = await discovery.resolve({ apiVersion: r.apiVersion, kind: r.kind });
    // The detector's shared informer has the template; use it when it is at least as new as
    // the version the binding was built from, else read through.
    const informer = factory.informer(ref);
    if (informer.hasSynced()) {
      const cached = informer.store.get(r.namespace ? `${r.namespace}/${r.name}` : r.name);
      if (cached && atLeastVersion(cached.metadata.resourceVersion, r.resourceVersion)) return cached;
    }
    try {
      return await client.get(ref, { name: r.name, namespace: r.namespace || undefined });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function upsertWork(desired: Work, existing: Work | undefined): Promise<boolean> {
    if (!existing) {
      const id = randomUUID();
      desired.metadata.labels = { ...desired.metadata.labels, [LABELS.workPermanentId]: id };
      const m = desired.spec.workload?.manifests?.[0];
      if (m) m.metadata.labels = { ...m.metadata.labels, [LABELS.workPermanentId]: id };
      try {
        await client.create(resources.works, desired);
        return true;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        // The Works cache lags behind a Work this controller just created: update it instead.
        const fresh = await client.get<Work>(resources.works, {
          name: desired.metadata.name ?? '',
          namespace: desired.metadata.namespace,
        });
        return upsertWork(desired, fresh);
      }
    }
    if (existing.metadata.deletionTimestamp) {
      throw new Error(`work ${existing.metadata.namespace}/${existing.metadata.name} is being deleted`);
    }
    const next = structuredClone(existing) as Work;
    next.metadata.labels = { ...next.metadata.labels, ...desired.metadata.labels };
    next.metadata.annotations = { ...next.metadata.annotations, ...desired.metadata.annotations };
    const fins = next.metadata.finalizers ?? [];
    if (!fins.includes(FINALIZERS.executionController))
      next.metadata.finalizers = [...fins, FINALIZERS.executionController];
    const id = next.metadata.labels[LABELS.workPermanentId];
    const m = desired.spec.workload?.manifests?.[0];
    if (m && id) m.metadata.labels = { ...m.metadata.labels, [LABELS.workPermanentId]: id };
    next.spec = desired.spec;
    if (isDeepStrictEqual(next, existing)) return false;
    await client.update(resources.works, next);
    return true;
  }

  async function reconcile(key: string): Promise<Result | undefined> {
    const cluster = key.startsWith('crb|');
    const binding = (cluster ? crbs : rbs).store.get(key.slice(key.indexOf('|') + 1));
    if (!binding) return undefined;
    const idLabel = cluster ? LABELS.crbPermanentId : LABELS.rbPermanentId;
    const id = binding.metadata.labels?.[idLabel];
    const finalizer = cluster ? FINALIZERS.clusterBindingController : FINALIZERS.bindingController;
    const bref = cluster ? resources.clusterresourcebindings : resources.resourcebindings;
    // From the Works cache by the binding's permanent id: a LIST per reconcile scans every Work.
    const owned = id ? works.store.byIndex(BY_BINDING_ID, `${idLabel}=${id}`) : [];
    if (binding.metadata.deletionTimestamp) {
      for (const w of owned)
        await ignoreNotFound(
          client.delete(resources.works, { name: w.metadata.name ?? '', namespace: w.metadata.namespace }),
        );
      if ((binding.metadata.finalizers ?? []).includes(finalizer)) {
        const copy = structuredClone(binding);
        copy.metadata.finalizers = (copy.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        await ignoreNotFound(client.update(bref, copy));
      }
      return undefined;
    }
    const targets = targetClusters(binding);
    const expected = new Set(targets.map((t) => t.name));
    for (const task of binding.spec.gracefulEvictionTasks ?? []) {
      if (task.purgeMode !== 'Directly') expected.add(task.fromCluster);
    }
    for (const w of owned) {
      const c = clusterOfExecutionNamespace(w.metadata.namespace ?? '');
      if (c !== undefined && !expected.has(c)) {
        await ignoreNotFound(
          client.delete(resources.works, { name: w.metadata.name ?? '', namespace: w.metadata.namespace }),
        );
      }
    }
    if (targets.length === 0) return undefined;
    const template = await fetchTemplate(binding);
    if (!template) return undefined;
    const label = cluster
      ? `ClusterResourceBinding(${binding.metadata.name})`
      : `ResourceBinding(${objectKey(binding)})`;
    let changed = false;
    try {
      for (const target of targets) {
        const desired = renderWork({
          binding,
          template,
          target,
          cluster: await clusterFor(target.name),
          clusterOverridePolicies: cops.store.list(),
          overridePolicies: ops.store.list(),
        });
        await ensureNamespace(executionNamespace(target.name));
        const existing =
          owned.find(
            (w) =>
              w.metadata.namespace === desired.metadata.namespace &&
              w.metadata.name === desired.metadata.name,
          ) ?? works.store.get(`${desired.metadata.namespace}/${desired.metadata.name}`);
        if (await upsertWork(desired, existing)) changed = true;
      }
    } catch (err) {
      const message = (err as Error).message;
      events?.event(binding, { type: 'Warning', reason: 'SyncWorkFailed', message });
      events?.event(template, { type: 'Warning', reason: 'SyncWorkFailed', message });
      throw err;
    }
    if (changed) {
      const message = `Sync work of ${label} successful.`;
      events?.event(binding, { type: 'Normal', reason: 'SyncWorkSucceed', message });
      events?.event(template, { type: 'Normal', reason: 'SyncWorkSucceed', message });
    }
    return undefined;
  }

  const controller = new Controller({
    name: 'binding-controller',
    reconcile,
    workers: options.workers ?? 5,
    informers: [rbs, crbs, works, ops, cops, clusters],
    ...(options.logger ? { logger: options.logger } : {}),
  });
  // Status writes (scheduler conditions, aggregated status) never change a Work: skip them.
  for (const [i, prefix] of [
    [rbs, 'rb|'],
    [crbs, 'crb|'],
  ] as const) {
    const push = (b: ResourceBinding) => controller.enqueue(`${prefix}${objectKey(b)}`);
    i.addHandlers({
      onAdd: push,
      onUpdate: (old, cur) => {
        if (old === cur || !isDeepStrictEqual(renderRelevant(old), renderRelevant(cur))) push(cur);
      },
      onDelete: push,
    });
  }
  const byId = (w: Work): string[] => {
    const rb = w.metadata.annotations?.['resourcebinding.karmada.io/name'];
    const ns = w.metadata.annotations?.['resourcebinding.karmada.io/namespace'];
    const crb = w.metadata.annotations?.['clusterresourcebinding.karmada.io/name'];
    if (rb && ns) return [`rb|${ns}/${rb}`];
    return crb ? [`crb|${crb}`] : [];
  };
  // A Work's status (written by execution and work-status as members progress) never changes
  // what this controller renders; only spec or metadata edits (drift of the Work) and deletes do.
  const pushWork = (w: Work) => {
    for (const k of byId(w)) controller.enqueue(k);
  };
  works.addHandlers({
    onAdd: pushWork,
    onUpdate: (old, cur) => {
      if (old === cur || !isDeepStrictEqual(workRelevant(old), workRelevant(cur))) pushWork(cur);
    },
    onDelete: pushWork,
  });
  const all = (): string[] => [
    ...rbs.store.list().map((b) => `rb|${objectKey(b)}`),
    ...crbs.store.list().map((b) => `crb|${objectKey(b)}`),
  ];
  const resyncAll = (): void => {
    for (const k of all()) controller.enqueue(k);
  };
  for (const i of [ops, cops] as unknown as Informer<KubeObject>[]) {
    i.addHandlers({ onAdd: resyncAll, onUpdate: resyncAll, onDelete: resyncAll });
  }
  // Override rules match clusters by name, labels and spec fields; status heartbeats (every
  // cluster, every 10 s) must not resync every binding.
  clusters.addHandlers({
    onAdd: resyncAll,
    onDelete: resyncAll,
    onUpdate: (a, b) => {
      if (!isDeepStrictEqual([a.metadata.labels, a.spec], [b.metadata.labels, b.spec])) resyncAll();
    },
  });
  return controller;
}
