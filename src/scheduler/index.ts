/**
 * Flotilla's Karmada scheduler: a pure core (`schedule`: filter → score → select → assign over
 * small plugins in `plugins/<name>/`, returning a typed `ScheduleResult` with a full
 * `Diagnosis`), the controller that runs it over ResourceBindings (`startScheduler`), and the
 * dry-run entry point for `flotilla plan` (`planPlacement`).
 */
export { rescheduleRequired, strategyOf } from './core/assign.ts';
export { allocatableReplicas, estimateReplicas } from './core/estimate.ts';
export { fitErrorMessage } from './core/generic.ts';
export { allocateWebster, tieBreakOrder } from './core/webster.ts';
export { clusterMatches } from './plugins/cluster-affinity/index.ts';
export { DEFAULT_PLUGINS, type PluginSet } from './plugins/registry.ts';
export { schedule } from './schedule.ts';
export type * from './types.ts';
