/**
 * Building the (Cluster)ResourceBinding the detector derives from a template and its policy
 * (`BuildResourceBinding` and the CreateOrUpdate mutation in K:pkg/detector/detector.go): owner
 * reference, finalizer, claim metadata, and the copied spec fields. `spec.clusters` and every
 * other field the scheduler or controllers own are left exactly as they are.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { bindingName, FINALIZERS, LABELS } from '../../api/karmada/names.ts';
import type { PropagationPolicy, ResourceBinding, ResourceBindingSpec } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import { claimMetadata, stripClaim } from './policy.ts';
import { interpretReplicas } from './replicas.ts';

/** The spec fields the detector owns; everything else on an existing binding is preserved. */
const OWNED_FIELDS = [
  'resource',
  'replicaRequirements',
  'replicas',
  'propagateDeps',
  'schedulerName',
  'placement',
  'failover',
  'conflictResolution',
  'preserveResourcesOnDeletion',
  'suspension',
] as const;

/** Whether the template is cluster-scoped, so its binding is a ClusterResourceBinding. */
export function isClusterScoped(template: Pick<KubeObject, 'metadata'>): boolean {
  return !template.metadata.namespace;
}

function ownedSpec(
  template: KubeObject,
  policy: PropagationPolicy,
  existing: ResourceBindingSpec | undefined,
): Partial<ResourceBindingSpec> {
  const p = policy.spec ?? { resourceSelectors: [] };
  const spec: Partial<ResourceBindingSpec> = {
    resource: {
      apiVersion: template.apiVersion,
      kind: template.kind,
      ...(template.metadata.namespace ? { namespace: template.metadata.namespace } : {}),
      name: template.metadata.name ?? '',
      uid: template.metadata.uid ?? '',
      resourceVersion: template.metadata.resourceVersion ?? '',
    },
  };
  const replicas = interpretReplicas(template);
  if (replicas) {
    if (replicas.replicas) spec.replicas = replicas.replicas;
    if (replicas.replicaRequirements) spec.replicaRequirements = replicas.replicaRequirements;
  }
  if (p.propagateDeps) spec.propagateDeps = true;
  if (p.schedulerName) spec.schedulerName = p.schedulerName;
  spec.placement = structuredClone(p.placement ?? {});
  if (p.failover) spec.failover = structuredClone(p.failover);
  if (p.conflictResolution) spec.conflictResolution = p.conflictResolution;
  if (p.preserveResourcesOnDeletion !== undefined)
    spec.preserveResourcesOnDeletion = p.preserveResourcesOnDeletion;
  // Suspension merges: the policy owns dispatching, the binding keeps its own `scheduling`.
  const scheduling = existing?.suspension?.scheduling;
  if (p.suspension || scheduling !== undefined) {
    spec.suspension = {
      ...structuredClone(p.suspension ?? {}),
      ...(scheduling !== undefined ? { scheduling } : {}),
    };
  }
  return spec;
}

/**
 * The binding to write for `template` claimed by `policy`: a new object when `existing` is
 * undefined, otherwise `existing` with the owned fields, claim metadata, owner reference and
 * finalizer merged in; undefined when `existing` already matches. Throws when `existing` is
 * controlled by another object (a stale binding the garbage collector has yet to delete).
 */
export function desiredBinding(
  template: KubeObject,
  policy: PropagationPolicy,
  clusterPolicy: boolean,
  existing: ResourceBinding | undefined,
): ResourceBinding | undefined {
  const clusterScoped = isClusterScoped(template);
  const controller = existing?.metadata.ownerReferences?.find((r) => r.controller);
  if (controller && controller.uid !== template.metadata.uid) {
    throw new Error(
      'failed to update binding due to different owner reference UID, will try again later after binding is garbage collected, see https://github.com/karmada-io/karmada/issues/2090',
    );
  }
  const claim = claimMetadata(policy, clusterPolicy);
  const finalizer = clusterScoped ? FINALIZERS.clusterBindingController : FINALIZERS.bindingController;
  const idLabel = clusterScoped ? LABELS.crbPermanentId : LABELS.rbPermanentId;
  const out: ResourceBinding = existing
    ? structuredClone(existing)
    : {
        apiVersion: 'work.karmada.io/v1alpha2',
        kind: clusterScoped ? 'ClusterResourceBinding' : 'ResourceBinding',
        metadata: {
          name: bindingName(template.kind, template.metadata.name ?? ''),
          ...(clusterScoped ? {} : { namespace: template.metadata.namespace }),
          labels: { [idLabel]: randomUUID() },
        },
        spec: { resource: { apiVersion: '', kind: '', name: '' } },
      };
  const meta = out.metadata;
  meta.labels = { ...meta.labels, ...claim.labels };
  meta.labels[idLabel] ??= randomUUID();
  meta.annotations = { ...meta.annotations, ...claim.annotations };
  if (!clusterPolicy) stripClaim(meta, true);
  if (!(meta.finalizers ?? []).includes(finalizer)) meta.finalizers = [...(meta.finalizers ?? []), finalizer];
  meta.ownerReferences = [
    {
      apiVersion: template.apiVersion,
      kind: template.kind,
      name: template.metadata.name ?? '',
      uid: template.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  const owned = ownedSpec(template, policy, existing?.spec);
  for (const f of OWNED_FIELDS) {
    if (clusterScoped && f === 'propagateDeps') continue;
    const v = owned[f];
    if (v === undefined) delete out.spec[f];
    else (out.spec as unknown as Record<string, unknown>)[f] = v;
  }
  if (existing && isDeepStrictEqual(existing, out)) return undefined;
  return out;
}
