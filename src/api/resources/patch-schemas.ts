/**
 * Strategic-merge-patch schemas transcribed from the `patchStrategy`/`patchMergeKey` tags of
 * the Kubernetes Go types. Sub-schemas (ObjectMeta, PodSpec, PodTemplateSpec, conditions) are
 * shared by every kind that embeds them.
 */
import type { PatchSchema } from '../patch-schema.ts';

/** A list merged by `key`. */
function mergeBy(key: string, items?: PatchSchema): PatchSchema {
  return items ? { strategy: 'merge', mergeKey: key, items } : { strategy: 'merge', mergeKey: key };
}

/** `metav1.ObjectMeta`: finalizers as a merged set, ownerReferences by uid. */
export const objectMetaSchema: PatchSchema = {
  fields: {
    finalizers: { strategy: 'merge' },
    ownerReferences: mergeBy('uid'),
  },
};

/** `conditions` lists keyed by `type`. */
export const conditionsSchema: PatchSchema = mergeBy('type');

/** A status whose only special list is `conditions`. */
export const conditionStatusSchema: PatchSchema = { fields: { conditions: conditionsSchema } };

/** `core/v1 Container` (also used for init and ephemeral containers). */
export const containerSchema: PatchSchema = {
  fields: {
    ports: mergeBy('containerPort'),
    env: mergeBy('name'),
    volumeMounts: mergeBy('mountPath'),
    volumeDevices: mergeBy('devicePath'),
  },
};

/** `core/v1 Volume`: merged by name, the volume source members retained by key. */
export const volumeSchema: PatchSchema = { strategy: 'retainKeys' };

/** `core/v1 PodSpec`. */
export const podSpecSchema: PatchSchema = {
  fields: {
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name', items: volumeSchema },
    initContainers: mergeBy('name', containerSchema),
    containers: mergeBy('name', containerSchema),
    ephemeralContainers: mergeBy('name', containerSchema),
    imagePullSecrets: mergeBy('name'),
    hostAliases: mergeBy('ip'),
    topologySpreadConstraints: mergeBy('topologyKey'),
    resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    schedulingGates: mergeBy('name'),
  },
};

/** `core/v1 PodTemplateSpec`. */
export const podTemplateSpecSchema: PatchSchema = {
  fields: { metadata: objectMetaSchema, spec: podSpecSchema },
};

/** Builds a kind's schema: `metadata` plus the given top-level members. */
export function kindSchema(fields: Record<string, PatchSchema> = {}): PatchSchema {
  return { fields: { metadata: objectMetaSchema, ...fields } };
}

/** `core/v1 Pod`. */
export const podSchema: PatchSchema = kindSchema({
  spec: podSpecSchema,
  status: {
    fields: {
      conditions: conditionsSchema,
      podIPs: mergeBy('ip'),
      hostIPs: mergeBy('ip'),
    },
  },
});

/** Workloads with `spec.template` and `status.conditions` (ReplicaSet, StatefulSet, DaemonSet, Job). */
export function workloadSchema(extraSpec: Record<string, PatchSchema> = {}): PatchSchema {
  return kindSchema({
    spec: { fields: { template: podTemplateSpecSchema, ...extraSpec } },
    status: conditionStatusSchema,
  });
}

/** `apps/v1 Deployment`: `spec.strategy` is retainKeys. */
export const deploymentSchema: PatchSchema = workloadSchema({ strategy: { strategy: 'retainKeys' } });

/** `core/v1 Service`: ports merged by `port`. */
export const serviceSchema: PatchSchema = kindSchema({
  spec: { fields: { ports: mergeBy('port') } },
  status: conditionStatusSchema,
});

/** `core/v1 Node`. */
export const nodeSchema: PatchSchema = kindSchema({
  spec: { fields: { podCIDRs: { strategy: 'merge' } } },
  status: { fields: { conditions: conditionsSchema, addresses: mergeBy('type') } },
});

/** `core/v1 ServiceAccount`: secrets merged by name. */
export const serviceAccountSchema: PatchSchema = kindSchema({ secrets: mergeBy('name') });

/** Kinds whose only patch-relevant part is metadata (ConfigMap, Secret, Event, Lease, …). */
export const metadataOnlySchema: PatchSchema = kindSchema();

/** Kinds with metadata and `status.conditions` (Namespace, PVC, CRD). */
export const conditionedSchema: PatchSchema = kindSchema({ status: conditionStatusSchema });
