/**
 * Karmada's API types (policy.karmada.io, cluster.karmada.io, work.karmada.io) as plain JSON
 * interfaces, mirroring the upstream Go types field for field (only the fields Flotilla uses
 * are spelled out; the rest pass through untouched).
 */
import type { Condition, KubeObject, ObjectMeta } from '../meta.ts';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | '';
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface ResourceSelector {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  labelSelector?: LabelSelector;
}

export interface FieldSelector {
  matchExpressions?: {
    key: 'provider' | 'region' | 'zone';
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

export interface ClusterAffinity {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  clusterNames?: string[];
  exclude?: string[];
}

export interface ClusterAffinityTerm extends ClusterAffinity {
  affinityName: string;
  overflowAffinities?: (ClusterAffinity & { affinityName: string })[];
}

export interface SpreadConstraint {
  spreadByField?: 'cluster' | 'region' | 'zone' | 'provider';
  spreadByLabel?: string;
  maxGroups?: number;
  minGroups?: number;
}

export interface StaticClusterWeight {
  targetCluster: ClusterAffinity;
  weight: number;
}

export interface ReplicaSchedulingStrategy {
  replicaSchedulingType?: 'Duplicated' | 'Divided';
  replicaDivisionPreference?: 'Aggregated' | 'Weighted';
  weightPreference?: { staticWeightList?: StaticClusterWeight[]; dynamicWeight?: 'AvailableReplicas' };
}

export interface Placement {
  clusterAffinity?: ClusterAffinity;
  clusterAffinities?: ClusterAffinityTerm[];
  clusterTolerations?: Toleration[];
  spreadConstraints?: SpreadConstraint[];
  replicaScheduling?: ReplicaSchedulingStrategy;
}

export interface ApplicationFailoverBehavior {
  decisionConditions?: { tolerationSeconds?: number };
  purgeMode?: 'Directly' | 'Gracefully' | 'Never';
  gracePeriodSeconds?: number;
  statePreservation?: unknown;
}

export interface FailoverBehavior {
  application?: ApplicationFailoverBehavior;
  cluster?: { purgeMode?: 'Directly' | 'Gracefully'; statePreservation?: unknown };
}

export interface PropagationSpec {
  resourceSelectors: ResourceSelector[];
  propagateDeps?: boolean;
  placement?: Placement;
  priority?: number;
  preemption?: 'Always' | 'Never';
  dependentOverrides?: string[];
  schedulerName?: string;
  failover?: FailoverBehavior;
  conflictResolution?: 'Abort' | 'Overwrite';
  activationPreference?: '' | 'Lazy';
  suspension?: { dispatching?: boolean; dispatchingOnClusters?: { clusterNames?: string[] } };
  preserveResourcesOnDeletion?: boolean;
}

export interface PropagationPolicy extends KubeObject {
  metadata: ObjectMeta;
  spec: PropagationSpec;
}

export interface ImageOverrider {
  predicate?: { path: string };
  component: 'Registry' | 'Repository' | 'Tag';
  operator: 'add' | 'remove' | 'replace';
  value?: string;
}

export interface Overriders {
  imageOverrider?: ImageOverrider[];
  commandOverrider?: { containerName: string; operator: 'add' | 'remove'; value?: string[] }[];
  argsOverrider?: { containerName: string; operator: 'add' | 'remove'; value?: string[] }[];
  labelsOverrider?: { operator: 'add' | 'remove' | 'replace'; value?: Record<string, string> }[];
  annotationsOverrider?: { operator: 'add' | 'remove' | 'replace'; value?: Record<string, string> }[];
  fieldOverrider?: { fieldPath: string; json?: PatchOp[]; yaml?: PatchOp[] }[];
  plaintext?: PatchOp[];
}

export interface PatchOp {
  path?: string;
  subPath?: string;
  operator: 'add' | 'remove' | 'replace';
  value?: unknown;
}

export interface OverrideSpec {
  resourceSelectors?: ResourceSelector[];
  overrideRules?: { targetCluster?: ClusterAffinity; overriders: Overriders }[];
  targetCluster?: ClusterAffinity;
  overriders?: Overriders;
}

export interface OverridePolicy extends KubeObject {
  spec: OverrideSpec;
}

export interface ClusterSpec {
  id?: string;
  syncMode: 'Push' | 'Pull';
  apiEndpoint?: string;
  secretRef?: { namespace: string; name: string };
  impersonatorSecretRef?: { namespace: string; name: string };
  insecureSkipTLSVerification?: boolean;
  provider?: string;
  region?: string;
  zone?: string;
  zones?: string[];
  taints?: Taint[];
  resourceModels?: unknown[];
}

export interface ClusterStatus {
  kubernetesVersion?: string;
  apiEnablements?: { groupVersion: string; resources?: { name: string; kind: string }[] }[];
  conditions?: Condition[];
  nodeSummary?: { totalNum?: number; readyNum?: number };
  resourceSummary?: {
    allocatable?: Record<string, string>;
    allocating?: Record<string, string>;
    allocated?: Record<string, string>;
  };
}

export interface Cluster extends KubeObject {
  spec: ClusterSpec;
  status?: ClusterStatus;
}

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface TargetCluster {
  name: string;
  replicas?: number;
}

export interface GracefulEvictionTask {
  fromCluster: string;
  purgeMode?: 'Directly' | 'Gracefully' | 'Never';
  replicas?: number;
  reason: string;
  message?: string;
  producer: string;
  gracePeriodSeconds?: number;
  suppressDeletion?: boolean;
  creationTimestamp?: string;
  clustersBeforeFailover?: string[];
}

export interface ResourceBindingSpec {
  resource: ObjectReference;
  propagateDeps?: boolean;
  replicaRequirements?: {
    nodeClaim?: {
      hardNodeAffinity?: unknown;
      nodeSelector?: Record<string, string>;
      tolerations?: Toleration[];
    };
    resourceRequest?: Record<string, string>;
    namespace?: string;
    priorityClassName?: string;
  };
  replicas?: number;
  clusters?: TargetCluster[];
  placement?: Placement;
  schedulerName?: string;
  failover?: FailoverBehavior;
  conflictResolution?: 'Abort' | 'Overwrite';
  gracefulEvictionTasks?: GracefulEvictionTask[];
  requiredBy?: { namespace?: string; name: string; clusters?: TargetCluster[] }[];
  rescheduleTriggeredAt?: string;
  suspension?: {
    dispatching?: boolean;
    dispatchingOnClusters?: { clusterNames?: string[] };
    scheduling?: boolean;
  };
  preserveResourcesOnDeletion?: boolean;
}

export interface AggregatedStatusItem {
  clusterName: string;
  status?: Record<string, unknown>;
  applied?: boolean;
  appliedMessage?: string;
  health?: 'Healthy' | 'Unhealthy' | 'Unknown';
}

export interface ResourceBindingStatus {
  schedulerObservedGeneration?: number;
  schedulerObservingAffinityName?: string;
  lastScheduledTime?: string;
  conditions?: Condition[];
  aggregatedStatus?: AggregatedStatusItem[];
}

export interface ResourceBinding extends KubeObject {
  spec: ResourceBindingSpec;
  status?: ResourceBindingStatus;
}

export interface ManifestStatus {
  identifier: {
    ordinal: number;
    group: string;
    version: string;
    kind: string;
    resource: string;
    namespace?: string;
    name: string;
  };
  status?: Record<string, unknown>;
  health?: 'Healthy' | 'Unhealthy' | 'Unknown';
}

export interface Work extends KubeObject {
  spec: {
    workload?: { manifests?: KubeObject[] };
    suspendDispatching?: boolean;
    preserveResourcesOnDeletion?: boolean;
  };
  status?: { conditions?: Condition[]; manifestStatuses?: ManifestStatus[] };
}
