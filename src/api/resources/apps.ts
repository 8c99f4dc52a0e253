/** apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet. */
import { LABELS } from '../karmada/names.ts';
import type { KubeObject } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { defineResource } from './define.ts';
import { deploymentSchema, workloadSchema } from './patch-schemas.ts';
import { defaultPodTemplate } from './pod-spec.ts';
import {
  ageColumn,
  ageOf,
  column,
  containerCells,
  formatLabelSelector,
  formatLabels,
  int,
  nameColumn,
  wide,
} from './table-util.ts';
import { workloadValidator } from './workload.ts';

const ALWAYS = ['Always'] as const;

/**
 * READY's denominator: `spec.replicas`, except on a template a propagation policy claimed, whose
 * status is the sum over its member clusters — there it is the members' total (`status.replicas`)
 * when larger, so a Duplicated template of 1 replica in two clusters reads `2/2`.
 */
function desiredReplicas(
  d: KubeObject & { spec?: { replicas?: number }; status?: { replicas?: number } },
): number {
  const spec = int(d.spec?.replicas);
  const labels = d.metadata.labels ?? {};
  if (labels[LABELS.ppPermanentId] === undefined && labels[LABELS.cppPermanentId] === undefined) return spec;
  return Math.max(spec, int(d.status?.replicas));
}
const CONTAINERS = wide('Containers', 'Names of each container in the template.');
const IMAGES = wide('Images', 'Images referenced by each container in the template.');
const SELECTOR = wide(
  'Selector',
  'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
);

function scale(): ResourceDef['subresources'] {
  return {
    status: true,
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
  };
}

/** The Deployment resource (`deploy`, category `all`, status + scale). */
export function deploymentResource(): ResourceDef {
  return defineResource({
    group: 'apps',
    versions: ['v1'],
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: scale(),
    table: {
      columns: [
        nameColumn(),
        column('Ready', 'string', 'Number of the pod with ready state'),
        column(
          'Up-to-date',
          'integer',
          'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
        ),
        column(
          'Available',
          'integer',
          'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
        ),
        ageColumn(),
        CONTAINERS,
        IMAGES,
        SELECTOR,
      ],
      cells(d, now) {
        const [names, images] = containerCells(d.spec?.template?.spec);
        return [
          d.metadata.name ?? '',
          `${int(d.status?.readyReplicas)}/${desiredReplicas(d)}`,
          int(d.status?.updatedReplicas),
          int(d.status?.availableReplicas),
          ageOf(d, now),
          names,
          images,
          formatLabelSelector(d.spec?.selector),
        ];
      },
    },
    patchSchema: deploymentSchema,
    defaulting(obj) {
      obj.spec ??= {};
      const spec = obj.spec;
      spec.replicas ??= 1;
      spec.strategy ??= {};
      spec.strategy.type ??= 'RollingUpdate';
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
        spec.strategy.rollingUpdate.maxSurge ??= '25%';
      }
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.template ??= {};
      defaultPodTemplate(spec.template);
    },
    validate: workloadValidator({ noun: 'deployment', restartPolicies: ALWAYS, replicas: true }),
  });
}

/** The ReplicaSet resource (`rs`, category `all`, status + scale): `Name Desired Current Ready Age` + wide. */
export function replicaSetResource(): ResourceDef {
  return defineResource({
    group: 'apps',
    versions: ['v1'],
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: scale(),
    table: {
      columns: [
        nameColumn(),
        column('Desired', 'integer', 'Replicas is the number of desired pods.'),
        column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
        column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
        ageColumn(),
        CONTAINERS,
        IMAGES,
        wide('Selector', 'Selector is a label query over pods that should match the replica count.'),
      ],
      cells(rs, now) {
        const [names, images] = containerCells(rs.spec?.template?.spec);
        return [
          rs.metadata.name ?? '',
          int(rs.spec?.replicas),
          int(rs.status?.replicas),
          int(rs.status?.readyReplicas),
          ageOf(rs, now),
          names,
          images,
          formatLabelSelector(rs.spec?.selector),
        ];
      },
    },
    fieldSelectors: { 'status.replicas': (o) => String(int(o.status?.replicas)) },
    patchSchema: workloadSchema(),
    defaulting(obj) {
      obj.spec ??= {};
      const spec = obj.spec;
      spec.replicas ??= 1;
      spec.template ??= {};
      defaultPodTemplate(spec.template);
    },
    validate: workloadValidator({ noun: 'deployment', restartPolicies: ALWAYS, replicas: true }),
  });
}

/** The StatefulSet resource (`sts`, category `all`, status + scale): `Name Ready Age` + wide. */
export function statefulSetResource(): ResourceDef {
  return defineResource({
    group: 'apps',
    versions: ['v1'],
    kind: 'StatefulSet',
    plural: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    subresources: scale(),
    table: {
      columns: [
        nameColumn(),
        column('Ready', 'string', 'Number of the pod with ready state'),
        ageColumn(),
        CONTAINERS,
        IMAGES,
      ],
      cells(s, now) {
        const [names, images] = containerCells(s.spec?.template?.spec);
        return [
          s.metadata.name ?? '',
          `${int(s.status?.readyReplicas)}/${int(s.spec?.replicas)}`,
          ageOf(s, now),
          names,
          images,
        ];
      },
    },
    patchSchema: workloadSchema(),
    defaulting(obj) {
      obj.spec ??= {};
      const spec = obj.spec;
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ??= 'RollingUpdate';
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.partition ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      spec.persistentVolumeClaimRetentionPolicy ??= {};
      spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
      spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
      spec.template ??= {};
      defaultPodTemplate(spec.template);
    },
    validate: workloadValidator({ noun: 'statefulset', restartPolicies: ALWAYS, replicas: true }),
  });
}

/** The DaemonSet resource (`ds`, category `all`, status). */
export function daemonSetResource(): ResourceDef {
  return defineResource({
    group: 'apps',
    versions: ['v1'],
    kind: 'DaemonSet',
    plural: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    subresources: { status: true },
    table: {
      columns: [
        nameColumn(),
        column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
        column(
          'Current',
          'integer',
          'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
        ),
        column(
          'Ready',
          'integer',
          'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
        ),
        column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
        column(
          'Available',
          'integer',
          'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
        ),
        column(
          'Node Selector',
          'string',
          'NodeSelector is a selector which must be true for the pod to fit on a node.',
        ),
        ageColumn(),
        CONTAINERS,
        IMAGES,
        wide('Selector', 'A label query over pods that are managed by the daemon set.'),
      ],
      cells(ds, now) {
        const st = ds.status ?? {};
        const [names, images] = containerCells(ds.spec?.template?.spec);
        return [
          ds.metadata.name ?? '',
          int(st.desiredNumberScheduled),
          int(st.currentNumberScheduled),
          int(st.numberReady),
          int(st.updatedNumberScheduled),
          int(st.numberAvailable),
          formatLabels(ds.spec?.template?.spec?.nodeSelector),
          ageOf(ds, now),
          names,
          images,
          formatLabelSelector(ds.spec?.selector),
        ];
      },
    },
    patchSchema: workloadSchema(),
    defaulting(obj) {
      obj.spec ??= {};
      const spec = obj.spec;
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ??= 'RollingUpdate';
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
        spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      spec.template ??= {};
      defaultPodTemplate(spec.template);
    },
    validate: workloadValidator({ noun: 'daemonset', restartPolicies: ALWAYS, replicas: false }),
  });
}
