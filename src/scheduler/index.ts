/**
 * Flotilla's Karmada scheduler: a pure core (`schedule`: filter → score → select → assign over
 * small plugins in `plugins/<name>/`, returning a typed `ScheduleResult` with a full
 * `Diagnosis`), the controller that runs it over ResourceBindings (`startScheduler`), and the
 * dry-run entry point for `flotilla plan` (`planPlacement`).
 */

export { type RunningScheduler, type SchedulerOptions, startScheduler } from './controller.ts';
export { rescheduleRequired, strategyOf } from './core/assign.ts';
export { allocatableReplicas, estimateReplicas } from './core/estimate.ts';
export { fitErrorMessage } from './core/generic.ts';
export { allocateWebster, tieBreakOrder } from './core/webster.ts';
export { type Decision, decodeDecision, encodeDecision } from './decision.ts';
export { type PlacementChange, type PlanInput, type PlanOutput, planPlacement } from './plan.ts';
export { clusterMatches } from './plugins/cluster-affinity/index.ts';
export { DEFAULT_PLUGINS, type PluginSet } from './plugins/registry.ts';
export { schedule } from './schedule.ts';
export {
  canonicalJson,
  DECISION_ANNOTATION,
  DEFAULT_SCHEDULER_NAME,
  isResponsible,
  MANAGED_BY_LABEL,
  placementChanged,
  type ScheduleTrigger,
  scheduleTrigger,
} from './triggers.ts';
export type * from './types.ts';
export { SUCCESS_MESSAGE, scheduledCondition, targetsString } from './write.ts';
