/**
 * policy.karmada.io/v1alpha1: PropagationPolicy, ClusterPropagationPolicy, OverridePolicy,
 * ClusterOverridePolicy and ClusterTaintPolicy, with the CRD printer columns and the defaults
 * of the CRD schema and karmada-webhook's mutating handlers.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject, StatusCause } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { type PrinterColumn, printerColumnsTable } from './crd.ts';
import { defineResource } from './define.ts';
import {
  validateClusterAffinity,
  validateOverrideSpec,
  validatePropagationSpec,
} from './karmada-policy-validation.ts';
import { AGE_DESCRIPTION } from './table-util.ts';
import { notSupported } from './validation.ts';

// biome-ignore lint/suspicious/noExplicitAny: policy specs are open JSON
type Obj = Record<string, any>;

const GROUP = 'policy.karmada.io';
const CATEGORIES = ['karmada-io'];

const POLICY_COLUMNS: PrinterColumn[] = [
  { name: 'CONFLICT-RESOLUTION', type: 'string', jsonPath: '.spec.conflictResolution' },
  { name: 'PRIORITY', type: 'string', jsonPath: '.spec.priority' },
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESCRIPTION },
];

/**
 * Fills PropagationSpec defaults in place: selector namespaces (PP), spread constraints,
 * division preference, failover timings, and the CRD defaults for conflictResolution,
 * preemption, priority and schedulerName.
 */
export function defaultPropagationSpec(spec: Obj, policyNamespace: string | undefined): void {
  if (policyNamespace !== undefined) {
    for (const s of Array.isArray(spec.resourceSelectors) ? spec.resourceSelectors : []) {
      if (s && typeof s === 'object' && !s.namespace) s.namespace = policyNamespace;
    }
  }
  spec.placement ??= {};
  const placement: Obj = spec.placement;
  for (const c of Array.isArray(placement.spreadConstraints) ? placement.spreadConstraints : []) {
    if (!c.spreadByLabel && !c.spreadByField) c.spreadByField = 'cluster';
    if (!c.minGroups) c.minGroups = 1;
  }
  const rs: Obj | undefined = placement.replicaScheduling;
  if (rs && typeof rs === 'object') {
    rs.replicaSchedulingType ??= 'Divided';
    if (rs.replicaSchedulingType === 'Divided' && !rs.replicaDivisionPreference)
      rs.replicaDivisionPreference = 'Weighted';
  }
  const app: Obj | undefined = spec.failover?.application;
  if (app && typeof app === 'object') {
    app.decisionConditions ??= {};
    app.decisionConditions.tolerationSeconds ??= 300;
    app.purgeMode ??= 'Gracefully';
    if (app.purgeMode === 'Gracefully') app.gracePeriodSeconds ??= 600;
  }
  const cluster: Obj | undefined = spec.failover?.cluster;
  if (cluster && typeof cluster === 'object') cluster.purgeMode ??= 'Gracefully';
  spec.conflictResolution ??= 'Abort';
  spec.preemption ??= 'Never';
  spec.priority ??= 0;
  spec.schedulerName ??= 'default-scheduler';
}

function ensurePermanentId(obj: KubeObject, label: string): void {
  if (obj.metadata.labels?.[label]) return;
  obj.metadata.labels = { ...obj.metadata.labels, [label]: randomUUID() };
}

function propagationPolicy(cluster: boolean): ResourceDef {
  const kind = cluster ? 'ClusterPropagationPolicy' : 'PropagationPolicy';
  const idLabel = cluster
    ? 'clusterpropagationpolicy.karmada.io/permanent-id'
    : 'propagationpolicy.karmada.io/permanent-id';
  return defineResource({
    group: GROUP,
    versions: ['v1alpha1'],
    kind,
    plural: cluster ? 'clusterpropagationpolicies' : 'propagationpolicies',
    namespaced: !cluster,
    shortNames: [cluster ? 'cpp' : 'pp'],
    categories: CATEGORIES,
    table: printerColumnsTable(POLICY_COLUMNS),
    defaulting(obj) {
      obj.spec ??= {};
      defaultPropagationSpec(obj.spec, cluster ? undefined : obj.metadata.namespace);
      ensurePermanentId(obj, idLabel);
    },
    validate: (obj) => validatePropagationSpec(obj.spec, cluster ? undefined : obj.metadata.namespace),
    generationOnAnyChange: true,
  });
}

/** The PropagationPolicy resource (`pp`): `Name CONFLICT-RESOLUTION PRIORITY AGE`. */
export function propagationPolicyResource(): ResourceDef {
  return propagationPolicy(false);
}

/** The ClusterPropagationPolicy resource (`cpp`, cluster-scoped). */
export function clusterPropagationPolicyResource(): ResourceDef {
  return propagationPolicy(true);
}

function overridePolicy(cluster: boolean): ResourceDef {
  return defineResource({
    group: GROUP,
    versions: ['v1alpha1'],
    kind: cluster ? 'ClusterOverridePolicy' : 'OverridePolicy',
    plural: cluster ? 'clusteroverridepolicies' : 'overridepolicies',
    namespaced: !cluster,
    shortNames: [cluster ? 'cop' : 'op'],
    categories: CATEGORIES,
    table: printerColumnsTable([]),
    defaulting(obj) {
      obj.spec ??= {};
      if (!cluster) {
        for (const s of Array.isArray(obj.spec.resourceSelectors) ? obj.spec.resourceSelectors : []) {
          if (s && typeof s === 'object' && !s.namespace) s.namespace = obj.metadata.namespace;
        }
      }
    },
    validate: (obj) => validateOverrideSpec(obj.spec, cluster ? undefined : obj.metadata.namespace),
    generationOnAnyChange: true,
  });
}

/** The OverridePolicy resource (`op`): `Name Age`. */
export function overridePolicyResource(): ResourceDef {
  return overridePolicy(false);
}

/** The ClusterOverridePolicy resource (`cop`, cluster-scoped). */
export function clusterOverridePolicyResource(): ResourceDef {
  return overridePolicy(true);
}

function validateTaintPolicy(obj: KubeObject): StatusCause[] {
  const spec: Obj = obj.spec ?? {};
  const out = validateClusterAffinity(spec.targetClusters, 'spec.targetClusters');
  for (const list of ['addOnConditions', 'removeOnConditions']) {
    (spec[list] ?? []).forEach((c: Obj, i: number) => {
      if (!['In', 'NotIn'].includes(c?.operator)) {
        out.push(notSupported(`spec.${list}[${i}].operator`, c?.operator ?? '', ['In', 'NotIn']));
      }
    });
  }
  (spec.taints ?? []).forEach((t: Obj, i: number) => {
    if (!['NoSchedule', 'NoExecute'].includes(t?.effect)) {
      out.push(notSupported(`spec.taints[${i}].effect`, t?.effect ?? '', ['NoSchedule', 'NoExecute']));
    }
  });
  return out;
}

/** The ClusterTaintPolicy resource (cluster-scoped, no short name): `Name Age`. */
export function clusterTaintPolicyResource(): ResourceDef {
  return defineResource({
    group: GROUP,
    versions: ['v1alpha1'],
    kind: 'ClusterTaintPolicy',
    plural: 'clustertaintpolicies',
    namespaced: false,
    table: printerColumnsTable([]),
    validate: (obj) => validateTaintPolicy(obj),
    generationOnAnyChange: true,
  });
}
