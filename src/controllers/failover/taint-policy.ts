/**
 * The ClusterTaintPolicy controller (Karmada §1.5, §4.6; `policy.karmada.io/v1alpha1`,
 * cluster-scoped): for every Cluster matched by a policy's `targetClusters` (nil: all), the
 * policy's taints are added when all `addOnConditions` match the Cluster's conditions and removed
 * when all `removeOnConditions` match; when both match, removal wins. An empty list never
 * matches, and neither does a condition the Cluster does not have. Editing or deleting a policy
 * leaves the taints it already added. Added taints carry `timeAdded` (NoExecute eviction counts
 * tolerationSeconds from it).
 */
import type { Cluster, ClusterAffinity, Taint } from '../../api/karmada/types.ts';
import type { Condition, KubeObject } from '../../api/meta.ts';
import { type ResourceRef, resources } from '../../client/resources.ts';
import { Controller } from '../../controller/reconciler.ts';
import { clusterMatches } from '../../scheduler/plugins/cluster-affinity/index.ts';
import { type FailoverContext, timestamp } from './context.ts';

/** One condition test: the Cluster condition `conditionType` has (In) or lacks (NotIn) a status. */
export interface MatchCondition {
  conditionType: string;
  operator: 'In' | 'NotIn';
  statusValues: string[];
}

/** policy.karmada.io/v1alpha1 ClusterTaintPolicy. */
export interface ClusterTaintPolicy extends KubeObject {
  spec: {
    targetClusters?: ClusterAffinity;
    addOnConditions?: MatchCondition[];
    removeOnConditions?: MatchCondition[];
    taints: Array<Pick<Taint, 'key' | 'value' | 'effect'>>;
  };
}

/** The served collection of ClusterTaintPolicies. */
export const clusterTaintPolicies: ResourceRef = Object.freeze({
  group: 'policy.karmada.io',
  version: 'v1alpha1',
  resource: 'clustertaintpolicies',
  kind: 'ClusterTaintPolicy',
  namespaced: false,
});

/** Whether every test in `tests` holds for `conditions`; an empty list is false. */
export function conditionsMatch(conditions: readonly Condition[], tests: readonly MatchCondition[]): boolean {
  if (tests.length === 0) return false;
  return tests.every((m) => {
    const c = conditions.find((x) => x.type === m.conditionType);
    if (!c) return false;
    const listed = (m.statusValues ?? []).includes(c.status);
    return m.operator === 'NotIn' ? !listed : listed;
  });
}

/**
 * The Cluster's taints after every policy (in name order) was applied at `now` (ms), or
 * undefined when they do not change.
 */
export function taintsAfterPolicies(
  cluster: Cluster,
  policies: readonly ClusterTaintPolicy[],
  now: number,
): Taint[] | undefined {
  const before = cluster.spec.taints ?? [];
  let taints = [...before];
  const conditions = cluster.status?.conditions ?? [];
  const sorted = [...policies].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const p of sorted) {
    if (p.spec.targetClusters && !clusterMatches(cluster, p.spec.targetClusters)) continue;
    const same = (t: Taint, q: Pick<Taint, 'key' | 'effect'>) => t.key === q.key && t.effect === q.effect;
    if (conditionsMatch(conditions, p.spec.removeOnConditions ?? [])) {
      taints = taints.filter((t) => !(p.spec.taints ?? []).some((q) => same(t, q)));
    } else if (conditionsMatch(conditions, p.spec.addOnConditions ?? [])) {
      for (const q of p.spec.taints ?? []) {
        if (taints.some((t) => same(t, q))) continue;
        taints.push({
          key: q.key,
          ...(q.value ? { value: q.value } : {}),
          effect: q.effect,
          timeAdded: timestamp(now),
        });
      }
    }
  }
  const key = (list: readonly Taint[]) => JSON.stringify(list.map((t) => [t.key, t.value ?? '', t.effect]));
  return key(taints) === key(before) ? undefined : taints;
}

/** Builds the ClusterTaintPolicy controller; keys are Cluster names. */
export function newClusterTaintPolicyController(options: FailoverContext): Controller {
  const clock = options.now ?? Date.now;
  const clusters = options.factory.informer<Cluster>(resources.clusters);
  const policies = options.factory.informer<ClusterTaintPolicy>(clusterTaintPolicies);
  const log = options.logger?.child({ controller: 'cluster-taint-policy' });

  const controller = new Controller({
    name: 'cluster-taint-policy',
    workers: 1,
    informers: [clusters, policies],
    ...(options.logger ? { logger: options.logger } : {}),
    reconcile: async (name) => {
      const cluster = clusters.store.get(name);
      if (!cluster || cluster.metadata.deletionTimestamp) return undefined;
      const taints = taintsAfterPolicies(cluster, policies.store.list(), clock());
      if (!taints) return undefined;
      // A compare-and-swap on the cached resourceVersion: a Conflict retries with a fresh cache.
      const next = structuredClone(cluster);
      next.spec.taints = taints;
      await options.client.update(resources.clusters, next);
      log?.info(
        { cluster: name, taints: taints.map((t) => `${t.key}:${t.effect}`) },
        'cluster taints set by policy',
      );
      return undefined;
    },
  });
  const relevant = (c: Cluster) => JSON.stringify([c.metadata.labels, c.spec, c.status?.conditions]);
  clusters.addHandlers({
    onAdd: (c) => controller.enqueue(c),
    onUpdate: (old, c) => {
      if (relevant(old) !== relevant(c)) controller.enqueue(c);
    },
  });
  const all = () => {
    for (const c of clusters.store.list()) controller.enqueue(c);
  };
  policies.addHandlers({ onAdd: all, onUpdate: all });
  return controller;
}
