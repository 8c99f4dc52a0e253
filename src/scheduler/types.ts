/**
 * The scheduler's typed vocabulary: what a scheduling run takes (`ScheduleInput`), what it
 * returns (`ScheduleResult`, a tagged union instead of exceptions) and the `Diagnosis` that
 * explains every decision — filter verdicts, scores, affinity fall-back, spread selection and
 * the replica arithmetic. All of it is plain JSON, so it can be stored on a binding as-is.
 */
import type {
  Cluster,
  Placement,
  ResourceBindingSpec,
  ResourceBindingStatus,
  TargetCluster,
} from '../api/karmada/types.ts';

/** The replica strategy a placement resolves to (Karmada's `assignState.strategyType`). */
export type Strategy = 'Duplicated' | 'StaticWeight' | 'DynamicWeight' | 'Aggregated';

/** Steady divides only the delta against the previous result; Fresh recomputes (rescheduleTriggeredAt). */
export type AssignmentMode = 'Steady' | 'Fresh';

/** What one scheduling run needs; pure data, no I/O. */
export interface ScheduleInput {
  /** The binding's spec: resource, replicas, replicaRequirements, placement, clusters (previous result), … */
  spec: ResourceBindingSpec;
  /** The binding's status: `schedulerObservingAffinityName` and `lastScheduledTime` matter. */
  status?: ResourceBindingStatus | undefined;
  /** Every known cluster (the scheduler cache snapshot). */
  clusters: readonly Cluster[];
  /** Overrides `spec.clusters` as the previous assignment. */
  previous?: readonly TargetCluster[] | undefined;
  /** Keep selected clusters that got 0 replicas (`--enable-empty-workload-propagation`). */
  enableEmptyWorkloadPropagation?: boolean | undefined;
}

/** One filter plugin's rejection of one cluster. */
export interface FilterRejection {
  plugin: string;
  /** Karmada's wording, e.g. `cluster(s) did not have the API resource`. */
  reason: string;
  /** Flotilla's detail: which clause or taint failed. */
  detail?: string;
}

/** Everything decided about one cluster in one affinity term. */
export interface ClusterVerdict {
  name: string;
  /** Absent when the cluster passed every filter. */
  rejected?: FilterRejection;
  /** Extra notes from filters that passed (e.g. a tolerated NoExecute taint's tolerationSeconds). */
  notes?: string[];
  /** Score per score plugin (feasible clusters only). */
  scores?: Record<string, number>;
  /** Sum of `scores`. */
  score?: number;
  /** Replicas the cluster can still take (estimate + already assigned), for workloads. */
  available?: number;
  /** The estimate alone, without this binding's own assigned replicas. */
  allocatable?: number;
  /** Chosen by selection (spread constraints). */
  selected?: boolean;
}

/** How spread constraints picked clusters among the feasible ones. */
export interface SelectionDiagnosis {
  /** `none` (all feasible), `ignored` (static weights), `cluster` or `region`. */
  by: 'none' | 'ignored' | 'cluster' | 'region';
  /** Why constraints were ignored, or other remarks. */
  note?: string;
  /** Candidate order: overflow tier, score desc, available desc, name. */
  order: string[];
  /** Region groups with their score (validClusters×1000+avg, or replicas×1000+avg). */
  groups?: { name: string; clusters: string[]; score: number; available: number }[];
  /** The regions chosen. */
  chosenGroups?: string[];
  /** Clusters swapped in for capacity, `[out, in]`. */
  swaps?: [string, string][];
  selected: string[];
}

/** One Webster (Sainte-Laguë) apportionment, for the diagnosis. */
export interface WebsterDiagnosis {
  seats: number;
  votes: Record<string, number>;
  initial?: Record<string, number>;
  /** `ascending`/`descending` name order on ties, from the parity of fnv32a(resource UID). */
  tieBreak: 'ascending' | 'descending';
  uidHash?: number;
  /** Which party won each round (first 200 rounds). */
  rounds: string[];
  /** Rounds decided by a tie: the tied parties and the rule that chose. */
  ties: { round: number; tied: string[]; winner: string; rule: 'fewerSeats' | 'name' }[];
  result: Record<string, number>;
}

/** The replica arithmetic. */
export interface AssignmentDiagnosis {
  strategy: Strategy | 'NonWorkload';
  mode: AssignmentMode;
  replicas: number;
  /** Static weights per cluster (max over matching staticWeightList entries). */
  weights?: Record<string, number>;
  /** Set when no entry matched and every candidate got weight 1. */
  defaultWeights?: boolean;
  /** Previous assignment restricted to current candidates (dynamic/aggregated). */
  previous?: Record<string, number>;
  /** `scaleUp` (delta distributed), `scaleDown` (shrink by previous), `fresh`, `unchanged`. */
  step?: 'scaleUp' | 'scaleDown' | 'fresh' | 'unchanged' | 'duplicate' | 'static';
  /** Replicas distributed in this run (the delta when scaling up). */
  target?: number;
  /** The weights the dynamic division used (available replicas, or previous for scale-down). */
  availableWeights?: Record<string, number>;
  availableSum?: number;
  /** Aggregated: the shortest prefix that holds the target. */
  aggregatedPrefix?: string[];
  webster?: WebsterDiagnosis;
  /** Clusters removed for 0 replicas. */
  droppedZero?: string[];
}

/** The diagnosis of one affinity term (or the single inline/absent affinity). */
export interface TermDiagnosis {
  /** Term index and name when `clusterAffinities` is used. */
  index?: number;
  affinityName?: string;
  outcome: ScheduleResult['kind'];
  message?: string;
  clusters: ClusterVerdict[];
  feasible: string[];
  selection?: SelectionDiagnosis;
  assignment?: AssignmentDiagnosis;
}

/** Everything needed to explain one scheduling decision. */
export interface Diagnosis {
  resource: string;
  replicas: number;
  strategy: Strategy | 'NonWorkload';
  mode: AssignmentMode;
  /** `inline`, `none` or `terms` (clusterAffinities). */
  affinity: 'inline' | 'none' | 'terms';
  /** The term that scheduled (or was last tried); why earlier ones failed is in `terms`. */
  chosenAffinity?: string;
  terms: TermDiagnosis[];
}

/** Scheduled: the new target clusters. */
export interface ScheduleSuccess {
  kind: 'Success';
  clusters: TargetCluster[];
  /** The term that scheduled, for `status.schedulerObservingAffinityName`. */
  affinityName?: string;
  diagnosis: Diagnosis;
}

/** No cluster passed the filters (Karmada's FitError): `0/N clusters are available: …`. */
export interface ScheduleNoFit {
  kind: 'NoClusterFit';
  reason: string;
  diagnosis: Diagnosis;
}

/** Clusters passed but cannot take the replicas (Karmada's UnschedulableError); retried. */
export interface ScheduleUnschedulable {
  kind: 'Unschedulable';
  reason: string;
  diagnosis: Diagnosis;
}

/** Any other failure (spread constraints unsatisfiable, invalid strategy); retried. */
export interface ScheduleError {
  kind: 'Error';
  reason: string;
  diagnosis: Diagnosis;
}

/** The typed result of {@link schedule}. */
export type ScheduleResult = ScheduleSuccess | ScheduleNoFit | ScheduleUnschedulable | ScheduleError;

/** What a filter plugin sees. */
export interface FilterContext {
  spec: ResourceBindingSpec;
  placement: Placement;
  /** The affinity term being tried, if `clusterAffinities` is used. */
  affinityName?: string | undefined;
  /** Names in the previous result. */
  targets: ReadonlySet<string>;
}

/** A filter's verdict: pass (optionally with notes) or reject with a reason. */
export type FilterVerdict = { ok: true; notes?: string[] } | { ok: false; reason: string; detail?: string };

/** A filter plugin (`framework/plugins/<name>`). */
export interface FilterPlugin {
  name: string;
  filter(ctx: FilterContext, cluster: Cluster): FilterVerdict;
}

/** A score plugin; scores are summed without weights. */
export interface ScorePlugin {
  name: string;
  score(ctx: FilterContext, cluster: Cluster): number;
}
