/**
 * Which clusters a set of federation controllers acts for. The control plane's controllers
 * handle every Push cluster and watch every Work; the pull-mode agent runs the very same
 * controllers for its one cluster, watching only `karmada-es-<cluster>` and its own Cluster —
 * its credentials allow nothing more. Every shared controller asks these helpers instead of
 * testing `syncMode` itself, so push and pull stay on one code path.
 */
import { executionNamespace } from '../api/karmada/names.ts';
import type { Cluster, Work } from '../api/karmada/types.ts';
import { resources } from '../client/resources.ts';
import type { Informer } from '../controller/informer.ts';
import type { FederationContext } from './context.ts';

/** The Works informer: every namespace for the control plane, the own execution namespace for an agent. */
export function worksInformer(ctx: FederationContext): Informer<Work> {
  return ctx.agentFor === undefined
    ? ctx.factory.informer<Work>(resources.works)
    : ctx.factory.informer<Work>(resources.works, { namespace: executionNamespace(ctx.agentFor) });
}

/** The Clusters informer: every Cluster for the control plane, the own one (by field selector) for an agent. */
export function clustersInformer(ctx: FederationContext): Informer<Cluster> {
  return ctx.agentFor === undefined
    ? ctx.factory.informer<Cluster>(resources.clusters)
    : ctx.factory.informer<Cluster>(resources.clusters, { fieldSelector: `metadata.name=${ctx.agentFor}` });
}

/**
 * True when these controllers act for cluster `name`: an agent for its own cluster only, the
 * control plane for Push clusters only (Karmada's `WorkWithinPushClusterPredicate`).
 */
export function handlesCluster(ctx: FederationContext, name: string, cluster: Cluster | undefined): boolean {
  if (ctx.agentFor !== undefined) return name === ctx.agentFor;
  return cluster?.spec.syncMode === 'Push';
}
