/**
 * The binding-status controller (Karmada's `bindingStatus`, §4.3): for each scheduled
 * ResourceBinding / ClusterResourceBinding it assembles `status.aggregatedStatus` from the Works
 * of its target clusters (`applied` from the Work's Applied condition, status and health from
 * its first manifest status), sets `FullyApplied`, and writes the aggregated status onto the
 * resource template's status subresource (read fresh from the API server). Works are tied to
 * bindings by the `resourcebinding.karmada.io/{namespace,name}` (or
 * `clusterresourcebinding.karmada.io/name`) annotations, else the permanent-id label.
 */
import { isNotFound } from '../../api/errors.ts';
import { ANNOTATIONS, executionNamespace, LABELS } from '../../api/karmada/names.ts';
import type { AggregatedStatusItem, ResourceBinding, Work } from '../../api/karmada/types.ts';
import type { Condition, KubeObject } from '../../api/meta.ts';
import { Discovery } from '../../client/discovery.ts';
import { type ResourceRef, resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import type { FederationContext } from '../../federation/context.ts';
import { aggregateStatus } from '../../federation/interpret.ts';
import { jsonEqual, setCondition, writeStatus } from '../../federation/status-write.ts';

const RB = 'rb';
const CRB = 'crb';
const BY_BINDING = 'binding';
const BY_ID = 'permanentId';

/** The binding keys (`rb/<ns>/<name>` or `crb/<name>`) a Work belongs to. */
function bindingKeysOf(work: Work): string[] {
  const a = work.metadata.annotations ?? {};
  const l = work.metadata.labels ?? {};
  const out: string[] = [];
  if (a[ANNOTATIONS.bindingName])
    out.push(`${RB}/${a[ANNOTATIONS.bindingNamespace] ?? ''}/${a[ANNOTATIONS.bindingName]}`);
  if (a[ANNOTATIONS.clusterBindingName]) out.push(`${CRB}/${a[ANNOTATIONS.clusterBindingName]}`);
  if (l[LABELS.rbPermanentId]) out.push(`id/${l[LABELS.rbPermanentId]}`);
  if (l[LABELS.crbPermanentId]) out.push(`id/${l[LABELS.crbPermanentId]}`);
  return out;
}

/** The per-cluster item for one Work (Karmada's assembleWorkStatus). */
export function aggregatedItem(cluster: string, work: Work): AggregatedStatusItem {
  const applied = work.status?.conditions?.find((c) => c.type === 'Applied');
  const manifest = work.status?.manifestStatuses?.[0];
  const item: AggregatedStatusItem = { clusterName: cluster, applied: applied?.status === 'True' };
  if (applied && applied.status !== 'True' && applied.message) item.appliedMessage = applied.message;
  if (manifest?.status) item.status = manifest.status;
  item.health = manifest?.health ?? 'Unknown';
  return item;
}

/** Builds the binding-status controller; keys are `rb/<ns>/<name>` and `crb/<name>`. */
export function newBindingStatusController(ctx: FederationContext): Controller {
  const { client } = ctx;
  const discovery = new Discovery({ client });
  const rbs = ctx.factory.informer<ResourceBinding>(resources.resourcebindings);
  const crbs = ctx.factory.informer<ResourceBinding>(resources.clusterresourcebindings);
  const works = ctx.factory.informer<Work>(resources.works);
  works.addIndex(BY_BINDING, (w) => bindingKeysOf(w));
  // A Work event names its binding's permanent id; an index finds the binding without scanning all.
  rbs.addIndex(BY_ID, (b) => {
    const id = b.metadata.labels?.[LABELS.rbPermanentId];
    return id ? [id] : [];
  });
  crbs.addIndex(BY_ID, (b) => {
    const id = b.metadata.labels?.[LABELS.crbPermanentId];
    return id ? [id] : [];
  });

  const reconcile = async (key: string) => {
    const [kind, ...rest] = key.split('/');
    const ref: ResourceRef = kind === CRB ? resources.clusterresourcebindings : resources.resourcebindings;
    const binding = (kind === CRB ? crbs : rbs).store.get(rest.join('/'));
    if (!binding || binding.metadata.deletionTimestamp || !binding.status?.lastScheduledTime) return;
    const id = binding.metadata.labels?.[kind === CRB ? LABELS.crbPermanentId : LABELS.rbPermanentId];
    const mine = new Map<string, Work>();
    for (const w of [
      ...works.store.byIndex(BY_BINDING, key),
      ...(id ? works.store.byIndex(BY_BINDING, `id/${id}`) : []),
    ]) {
      mine.set(w.metadata.namespace ?? '', w);
    }
    const targets = new Set<string>((binding.spec.clusters ?? []).map((c) => c.name));
    for (const r of binding.spec.requiredBy ?? []) for (const c of r.clusters ?? []) targets.add(c.name);
    const items: AggregatedStatusItem[] = [];
    for (const cluster of [...targets].sort()) {
      const work = mine.get(executionNamespace(cluster));
      if (work && !work.metadata.deletionTimestamp) items.push(aggregatedItem(cluster, work));
    }
    const fully = targets.size > 0 && items.length === targets.size && items.every((i) => i.applied);
    const cond: Condition = fully
      ? {
          type: 'FullyApplied',
          status: 'True',
          reason: 'FullyAppliedSuccess',
          message: 'All works have been successfully applied',
        }
      : {
          type: 'FullyApplied',
          status: 'False',
          reason: 'FullyAppliedFailed',
          message: 'Failed to apply all works, see status.aggregatedStatus for details',
        };
    const bkey = { name: binding.metadata.name ?? '', namespace: binding.metadata.namespace };
    await writeStatus<ResourceBinding>(
      client,
      ref,
      bkey,
      (fresh) => {
        const conditions = setCondition(fresh.status?.conditions, cond);
        if (jsonEqual(fresh.status?.aggregatedStatus ?? [], items) && conditions === fresh.status?.conditions)
          return undefined;
        return { ...fresh, status: { ...(fresh.status ?? {}), aggregatedStatus: items, conditions } };
      },
      binding,
    );
    const res = binding.spec.resource;
    let templateRef: ResourceRef;
    try {
      templateRef = await discovery.resolve({ apiVersion: res.apiVersion, kind: res.kind });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const tkey = { name: res.name, namespace: templateRef.namespaced ? res.namespace : undefined };
    await writeStatus<KubeObject>(client, templateRef, tkey, (template) => {
      if (res.uid && template.metadata.uid !== res.uid) return undefined;
      const status = aggregateStatus(template, items);
      return status === undefined ? undefined : { ...template, status };
    });
  };

  const controller = new Controller({
    name: 'binding-status',
    reconcile,
    workers: ctx.workers ?? 5,
    informers: [rbs, crbs, works],
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  });
  const enqueueBinding = (kind: string) => (b: ResourceBinding) =>
    controller.enqueue(`${kind}/${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name}`);
  // Its own status writes (and the scheduler's conditions) change nothing it aggregates: only a
  // spec change, the first lastScheduledTime, or deletion does.
  const relevant = (o: ResourceBinding, b: ResourceBinding) =>
    o === b ||
    o.metadata.generation !== b.metadata.generation ||
    !o.status?.lastScheduledTime !== !b.status?.lastScheduledTime ||
    !o.metadata.deletionTimestamp !== !b.metadata.deletionTimestamp;
  rbs.addHandlers({
    onAdd: enqueueBinding(RB),
    onUpdate: (o, b) => {
      if (relevant(o, b)) enqueueBinding(RB)(b);
    },
  });
  crbs.addHandlers({
    onAdd: enqueueBinding(CRB),
    onUpdate: (o, b) => {
      if (relevant(o, b)) enqueueBinding(CRB)(b);
    },
  });
  const byId = (id: string) => [
    ...rbs.store.byIndex(BY_ID, id).map((b) => `${RB}/${b.metadata.namespace}/${b.metadata.name}`),
    ...crbs.store.byIndex(BY_ID, id).map((b) => `${CRB}/${b.metadata.name}`),
  ];
  const onWork = (w: Work) => {
    for (const k of bindingKeysOf(w)) {
      for (const key of k.startsWith('id/') ? byId(k.slice(3)) : [k]) controller.enqueue(key);
    }
  };
  works.addHandlers({ onAdd: onWork, onUpdate: (_o, w) => onWork(w), onDelete: onWork });
  return controller;
}
