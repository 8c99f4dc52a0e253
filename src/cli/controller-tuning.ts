/**
 * The controller tuning flags `flotilla up` and `flotilla controllers` share — Karmada's
 * controller-manager names for cluster health timing, feature gates and eviction — turned into
 * the options `startControlPlaneControllers` takes.
 */
import type { FailoverOptions } from '../controllers/failover/index.ts';
import type { ClusterStatusTiming } from '../controllers/status/cluster-status.ts';
import type { FlagName, FlagValues } from './flags.ts';

/** The flags, in `--help` order. */
export const CONTROLLER_TUNING_FLAGS = [
  'featureGates',
  'clusterStatusUpdateFrequency',
  'clusterFailureThreshold',
  'clusterSuccessThreshold',
  'clusterMonitorPeriod',
  'clusterMonitorGracePeriod',
  'clusterStartupGracePeriod',
  'resourceEvictionRate',
  'gracefulEvictionTimeout',
] as const satisfies readonly FlagName[];

/** What the flags configure. */
export interface ControllerTuning {
  health: ClusterStatusTiming;
  failover: FailoverOptions;
}

/** The options for the parsed flag values. */
export function controllerTuning(
  values: FlagValues<(typeof CONTROLLER_TUNING_FLAGS)[number]>,
): ControllerTuning {
  return {
    health: {
      intervalMs: values.clusterStatusUpdateFrequency,
      failureThresholdMs: values.clusterFailureThreshold,
      successThresholdMs: values.clusterSuccessThreshold,
      monitorPeriodMs: values.clusterMonitorPeriod,
      monitorGracePeriodMs: values.clusterMonitorGracePeriod,
      startupGracePeriodMs: values.clusterStartupGracePeriod,
    },
    failover: {
      failover: values.featureGates.Failover,
      gracefulEviction: values.featureGates.GracefulEviction,
      evictionRate: values.resourceEvictionRate,
      gracefulEvictionTimeoutMs: values.gracefulEvictionTimeout,
    },
  };
}
