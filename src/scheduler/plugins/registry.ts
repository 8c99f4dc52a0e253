/**
 * The default plugin registry, in Karmada's order (K:pkg/scheduler/framework/plugins/registry.go):
 * filters APIEnablement, TaintToleration, ClusterAffinity, SpreadConstraint, ClusterEviction;
 * scores ClusterAffinity (0) and ClusterLocality.
 */
import type { FilterPlugin, ScorePlugin } from '../types.ts';
import { apiEnablementPlugin } from './api-enablement/index.ts';
import { clusterAffinityPlugin } from './cluster-affinity/index.ts';
import { clusterEvictionPlugin } from './cluster-eviction/index.ts';
import { clusterLocalityPlugin } from './cluster-locality/index.ts';
import { spreadConstraintPlugin } from './spread-constraint/index.ts';
import { taintTolerationPlugin } from './taint-toleration/index.ts';

/** The plugin set a scheduling run uses. */
export interface PluginSet {
  filters: readonly FilterPlugin[];
  scores: readonly ScorePlugin[];
}

/** Karmada's default plugins (`--plugins=*`). */
export const DEFAULT_PLUGINS: PluginSet = Object.freeze({
  filters: [
    apiEnablementPlugin,
    taintTolerationPlugin,
    clusterAffinityPlugin,
    spreadConstraintPlugin,
    clusterEvictionPlugin,
  ],
  scores: [clusterAffinityPlugin, clusterLocalityPlugin],
});
