/**
 * Field numbers of `k8s.io/api/apps/v1` and `k8s.io/api/batch/v1` workload messages, from their
 * `generated.proto` files; marks follow the Go types (see `schema-types.ts`). Status messages are
 * not listed: clients never send status on create.
 */
import type { MessageTable } from './schema-types.ts';

/** apps/v1 Deployment, ReplicaSet, StatefulSet and DaemonSet. */
export const APPS: MessageTable = {
  Deployment: { 1: 'metadata ObjectMeta', 2: 'spec DeploymentSpec', 3: 'status DeploymentStatus' },
  DeploymentSpec: {
    1: 'replicas? int32',
    2: 'selector LabelSelector',
    3: 'template PodTemplateSpec',
    4: 'strategy DeploymentStrategy',
    5: 'minReadySeconds int32',
    6: 'revisionHistoryLimit? int32',
    7: 'paused bool',
    9: 'progressDeadlineSeconds? int32',
  },
  DeploymentStrategy: { 1: 'type string', 2: 'rollingUpdate RollingUpdateDeployment' },
  RollingUpdateDeployment: { 1: 'maxUnavailable IntOrString', 2: 'maxSurge IntOrString' },
  ReplicaSet: { 1: 'metadata ObjectMeta', 2: 'spec ReplicaSetSpec', 3: 'status ReplicaSetStatus' },
  ReplicaSetSpec: {
    1: 'replicas? int32',
    4: 'minReadySeconds int32',
    2: 'selector LabelSelector',
    3: 'template PodTemplateSpec',
  },
  StatefulSet: { 1: 'metadata ObjectMeta', 2: 'spec StatefulSetSpec', 3: 'status StatefulSetStatus' },
  StatefulSetSpec: {
    1: 'replicas? int32',
    2: 'selector LabelSelector',
    3: 'template PodTemplateSpec',
    4: 'volumeClaimTemplates PersistentVolumeClaim[]',
    5: 'serviceName! string',
    6: 'podManagementPolicy string',
    7: 'updateStrategy StatefulSetUpdateStrategy',
    8: 'revisionHistoryLimit? int32',
    9: 'minReadySeconds int32',
    10: 'persistentVolumeClaimRetentionPolicy StatefulSetPersistentVolumeClaimRetentionPolicy',
    11: 'ordinals StatefulSetOrdinals',
  },
  StatefulSetUpdateStrategy: { 1: 'type string', 2: 'rollingUpdate RollingUpdateStatefulSetStrategy' },
  RollingUpdateStatefulSetStrategy: { 1: 'partition? int32', 2: 'maxUnavailable IntOrString' },
  StatefulSetPersistentVolumeClaimRetentionPolicy: { 1: 'whenDeleted string', 2: 'whenScaled string' },
  StatefulSetOrdinals: { 1: 'start! int32' },
  DaemonSet: { 1: 'metadata ObjectMeta', 2: 'spec DaemonSetSpec', 3: 'status DaemonSetStatus' },
  DaemonSetSpec: {
    1: 'selector LabelSelector',
    2: 'template PodTemplateSpec',
    3: 'updateStrategy DaemonSetUpdateStrategy',
    4: 'minReadySeconds int32',
    6: 'revisionHistoryLimit? int32',
  },
  DaemonSetUpdateStrategy: { 1: 'type string', 2: 'rollingUpdate RollingUpdateDaemonSet' },
  RollingUpdateDaemonSet: { 1: 'maxUnavailable IntOrString', 2: 'maxSurge IntOrString' },
};

/** batch/v1 Job and CronJob. */
export const BATCH: MessageTable = {
  Job: { 1: 'metadata ObjectMeta', 2: 'spec JobSpec', 3: 'status JobStatus' },
  JobSpec: {
    1: 'parallelism? int32',
    2: 'completions? int32',
    3: 'activeDeadlineSeconds? int64',
    11: 'podFailurePolicy PodFailurePolicy',
    16: 'successPolicy SuccessPolicy',
    7: 'backoffLimit? int32',
    12: 'backoffLimitPerIndex? int32',
    13: 'maxFailedIndexes? int32',
    4: 'selector LabelSelector',
    5: 'manualSelector? bool',
    6: 'template PodTemplateSpec',
    8: 'ttlSecondsAfterFinished? int32',
    9: 'completionMode? string',
    10: 'suspend? bool',
    14: 'podReplacementPolicy? string',
    15: 'managedBy? string',
  },
  PodFailurePolicy: { 1: 'rules! PodFailurePolicyRule[]' },
  PodFailurePolicyRule: {
    1: 'action! string',
    2: 'onExitCodes PodFailurePolicyOnExitCodesRequirement',
    3: 'onPodConditions PodFailurePolicyOnPodConditionsPattern[]',
  },
  PodFailurePolicyOnExitCodesRequirement: {
    1: 'containerName? string',
    2: 'operator! string',
    3: 'values! int32[]',
  },
  PodFailurePolicyOnPodConditionsPattern: { 1: 'type! string', 2: 'status! string' },
  SuccessPolicy: { 1: 'rules! SuccessPolicyRule[]' },
  SuccessPolicyRule: { 1: 'succeededIndexes? string', 2: 'succeededCount? int32' },
  CronJob: { 1: 'metadata ObjectMeta', 2: 'spec CronJobSpec', 3: 'status CronJobStatus' },
  CronJobSpec: {
    1: 'schedule! string',
    8: 'timeZone? string',
    2: 'startingDeadlineSeconds? int64',
    3: 'concurrencyPolicy string',
    4: 'suspend? bool',
    5: 'jobTemplate JobTemplateSpec',
    6: 'successfulJobsHistoryLimit? int32',
    7: 'failedJobsHistoryLimit? int32',
  },
  JobTemplateSpec: { 1: 'metadata ObjectMeta', 2: 'spec JobSpec' },
};

/** rbac.authorization.k8s.io/v1 roles and bindings (`kubectl create role|rolebinding|…`). */
export const RBAC: MessageTable = {
  Role: { 1: 'metadata ObjectMeta', 2: 'rules! PolicyRule[]' },
  ClusterRole: { 1: 'metadata ObjectMeta', 2: 'rules! PolicyRule[]', 3: 'aggregationRule AggregationRule' },
  RoleBinding: { 1: 'metadata ObjectMeta', 2: 'subjects Subject[]', 3: 'roleRef RoleRef' },
  ClusterRoleBinding: { 1: 'metadata ObjectMeta', 2: 'subjects Subject[]', 3: 'roleRef RoleRef' },
  PolicyRule: {
    1: 'verbs! string[]',
    2: 'apiGroups string[]',
    3: 'resources string[]',
    4: 'resourceNames string[]',
    5: 'nonResourceURLs string[]',
  },
  AggregationRule: { 1: 'clusterRoleSelectors LabelSelector[]' },
  Subject: { 1: 'kind! string', 2: 'apiGroup string', 3: 'name! string', 4: 'namespace string' },
  RoleRef: { 1: 'apiGroup! string', 2: 'kind! string', 3: 'name! string' },
};
