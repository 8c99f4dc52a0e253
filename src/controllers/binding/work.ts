/**
 * Rendering one Work for one target cluster from a binding and its template (Karmada §4.1,
 * K:pkg/controllers/binding/common.go and ctrlutil/work.go): replicas revised to the scheduler's
 * number, overrides applied last, server fields pruned, Karmada's labels and annotations on the
 * Work and on its manifest.
 */
import { ANNOTATIONS, executionNamespace, FINALIZERS, LABELS, workName } from '../../api/karmada/names.ts';
import type {
  Cluster,
  OverridePolicy,
  ResourceBinding,
  TargetCluster,
  Work,
} from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { appliedOverrideAnnotations, applyOverridePolicies } from '../../overrides/index.ts';

/** Manifest annotations not (yet) in names.ts at every commit. */
const TEMPLATE_UID = 'resourcetemplate.karmada.io/uid';
const MANAGED_LABELS = 'resourcetemplate.karmada.io/managed-labels';
const MANAGED_ANNOTATIONS = 'resourcetemplate.karmada.io/managed-annotations';

// biome-ignore lint/suspicious/noExplicitAny: manifests are open JSON
type Obj = Record<string, any>;

const REPLICA_FIELD: Record<string, string> = {
  'apps/Deployment': 'replicas',
  'apps/ReplicaSet': 'replicas',
  'apps/StatefulSet': 'replicas',
  'batch/Job': 'parallelism',
};

/** Whether a binding describes a workload (replicas, requirements or components). */
export function isWorkload(binding: ResourceBinding): boolean {
  return (binding.spec.replicas ?? 0) > 0 || binding.spec.replicaRequirements !== undefined;
}

/** The target clusters: `spec.clusters` plus any `requiredBy` clusters not already there. */
export function targetClusters(binding: ResourceBinding): TargetCluster[] {
  const out = [...(binding.spec.clusters ?? [])];
  const seen = new Set(out.map((c) => c.name));
  for (const r of binding.spec.requiredBy ?? []) {
    for (const c of r.clusters ?? []) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      out.push(c);
    }
  }
  return out;
}

/** The Work's conflict-resolution value: template annotation `overwrite|abort`, else the binding's. */
export function conflictResolution(template: KubeObject, binding: ResourceBinding): 'overwrite' | 'abort' {
  const fromTemplate = template.metadata.annotations?.[ANNOTATIONS.conflictResolution];
  if (fromTemplate === 'overwrite' || fromTemplate === 'abort') return fromTemplate;
  return binding.spec.conflictResolution === 'Overwrite' ? 'overwrite' : 'abort';
}

function prune(manifest: Obj): void {
  const meta: Obj = manifest.metadata ?? {};
  for (const f of [
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
    'managedFields',
    'resourceVersion',
    'selfLink',
    'uid',
    'ownerReferences',
    'finalizers',
  ]) {
    delete meta[f];
  }
  delete manifest.status;
  const group = String(manifest.apiVersion ?? '').includes('/')
    ? String(manifest.apiVersion).split('/')[0]
    : '';
  if (manifest.kind === 'Service' && group === '' && manifest.spec?.clusterIP !== 'None') {
    delete manifest.spec?.clusterIP;
    delete manifest.spec?.clusterIPs;
  }
  if (manifest.kind === 'Deployment' && meta.annotations) {
    delete meta.annotations['deployment.kubernetes.io/revision'];
    delete meta.annotations['deployment.kubernetes.io/revision-history'];
  }
  if (manifest.kind === 'Job' && group === 'batch') {
    delete manifest.spec?.ttlSecondsAfterFinished;
    if (!manifest.spec?.manualSelector) {
      for (const m of [manifest.spec?.selector?.matchLabels, manifest.spec?.template?.metadata?.labels]) {
        if (!m) continue;
        for (const k of [
          'controller-uid',
          'batch.kubernetes.io/controller-uid',
          'job-name',
          'batch.kubernetes.io/job-name',
        ])
          delete m[k];
      }
    }
  }
}

function sortedKeys(map: Record<string, string> | undefined, extra: string[] = []): string {
  return [...new Set([...Object.keys(map ?? {}), ...extra])].sort().join(',');
}

/** What {@link renderWork} needs. */
export interface RenderInput {
  binding: ResourceBinding;
  template: KubeObject;
  target: TargetCluster;
  cluster: Pick<Cluster, 'metadata' | 'spec'>;
  clusterOverridePolicies: readonly OverridePolicy[];
  overridePolicies: readonly OverridePolicy[];
}

/**
 * The Work for one target cluster (without resourceVersion or a permanent id). Throws
 * `OverrideError` when an override does not apply.
 */
export function renderWork(input: RenderInput): Work {
  const { binding, template, target } = input;
  const clusterScoped = !binding.metadata.namespace;
  const revised = structuredClone(template) as KubeObject;
  const group = revised.apiVersion.includes('/') ? revised.apiVersion.split('/')[0] : '';
  const field = REPLICA_FIELD[`${group}/${revised.kind}`];
  if (isWorkload(binding) && field && revised.spec && revised.spec[field] !== undefined) {
    revised.spec[field] = target.replicas ?? 0;
  }
  const overridden = applyOverridePolicies({
    manifest: revised,
    cluster: input.cluster,
    clusterOverridePolicies: input.clusterOverridePolicies,
    overridePolicies: input.overridePolicies,
  });
  const manifest = overridden.manifest as Obj;
  const idLabel = clusterScoped ? LABELS.crbPermanentId : LABELS.rbPermanentId;
  const bindingId = binding.metadata.labels?.[idLabel] ?? '';
  const name = workName(template.kind, template.metadata.name ?? '', template.metadata.namespace ?? '');
  const namespace = executionNamespace(target.name);
  const bindingAnnotations: Record<string, string> = clusterScoped
    ? { [ANNOTATIONS.clusterBindingName]: binding.metadata.name ?? '' }
    : {
        [ANNOTATIONS.bindingNamespace]: binding.metadata.namespace ?? '',
        [ANNOTATIONS.bindingName]: binding.metadata.name ?? '',
      };
  const conflict = conflictResolution(template, binding);
  const meta: Obj = manifest.metadata;
  meta.labels = { ...meta.labels, [idLabel]: bindingId, [LABELS.managed]: 'true' };
  meta.annotations = {
    ...meta.annotations,
    ...(template.metadata.generation
      ? { [ANNOTATIONS.templateGeneration]: String(template.metadata.generation) }
      : {}),
    ...bindingAnnotations,
    [TEMPLATE_UID]: template.metadata.uid ?? '',
    [ANNOTATIONS.workName]: name,
    [ANNOTATIONS.workNamespace]: namespace,
    [ANNOTATIONS.conflictResolution]: conflict,
  };
  prune(manifest);
  meta.annotations[MANAGED_ANNOTATIONS] = sortedKeys(meta.annotations, [MANAGED_ANNOTATIONS, MANAGED_LABELS]);
  meta.annotations[MANAGED_LABELS] = sortedKeys(meta.labels);
  const suspension = binding.spec.suspension;
  const suspend =
    suspension?.dispatching === true ||
    (suspension?.dispatchingOnClusters?.clusterNames ?? []).includes(target.name);
  return {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: {
      name,
      namespace,
      finalizers: [FINALIZERS.executionController],
      labels: { [idLabel]: bindingId },
      annotations: {
        ...bindingAnnotations,
        [ANNOTATIONS.conflictResolution]: conflict,
        ...appliedOverrideAnnotations(overridden),
      },
    },
    spec: {
      workload: { manifests: [manifest as KubeObject] },
      ...(suspend ? { suspendDispatching: true } : {}),
      ...(binding.spec.preserveResourcesOnDeletion ? { preserveResourcesOnDeletion: true } : {}),
    },
  };
}
