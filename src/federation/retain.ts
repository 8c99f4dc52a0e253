/**
 * What an update keeps from the live member object (Karmada's retain logic): resourceVersion,
 * finalizers, ownerReferences, labels and annotations the template does not manage, and the
 * per-kind fields member controllers own (Service clusterIP/nodePorts, Job selector, Pod node
 * and volumes, ServiceAccount secrets, PVC volume binding, Deployment replicas under
 * `retain-replicas`). Plus the "nothing changed" test and the strip used when a Work is deleted
 * with `preserveResourcesOnDeletion`. All pure.
 */
import { ANNOTATIONS, LABELS } from '../api/karmada/names.ts';
import type { KubeObject } from '../api/meta.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * True when every field of `want` equals the same field of `have` (objects compared key by key,
 * arrays element-wise with equal length); extra fields in `have` (server defaults, status) are
 * ignored. Label and annotation maps must match exactly so removals count as changes.
 */
export function isSubset(want: unknown, have: unknown, path = ''): boolean {
  if (isObj(want)) {
    if (!isObj(have)) return false;
    if (path === '.metadata.labels' || path === '.metadata.annotations') {
      if (Object.keys(want).length !== Object.keys(have).length) return false;
    }
    for (const [k, v] of Object.entries(want)) {
      if (path === '' && k === 'status') continue;
      if (path === '.metadata' && k === 'resourceVersion') continue;
      if (v === undefined || v === null) continue;
      if (!isSubset(v, have[k], `${path}.${k}`)) return false;
    }
    return true;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return false;
    return want.every((v, i) => isSubset(v, have[i], `${path}[]`));
  }
  return want === have;
}

/** Keys listed in a `managed-labels`/`managed-annotations` annotation (comma-separated). */
function managedKeys(obj: KubeObject, annotation: string): Set<string> {
  const raw = obj.metadata.annotations?.[annotation];
  return new Set((raw ?? '').split(',').filter((k) => k !== ''));
}

/** Live entries kept: those the template does not set, minus ones the template used to manage. */
function mergeMap(
  desired: Record<string, string> | undefined,
  live: Record<string, string> | undefined,
  previouslyManaged: Set<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(live ?? {})) {
    if (!previouslyManaged.has(k)) out[k] = v;
  }
  return { ...out, ...(desired ?? {}) };
}

function retainKind(next: KubeObject, live: KubeObject): void {
  const spec = (next.spec ?? {}) as Obj;
  const liveSpec = (live.spec ?? {}) as Obj;
  switch (live.kind) {
    case 'Service': {
      for (const k of ['clusterIP', 'clusterIPs', 'healthCheckNodePort', 'ipFamilies', 'ipFamilyPolicy']) {
        if (spec[k] === undefined && liveSpec[k] !== undefined) spec[k] = liveSpec[k];
      }
      const livePorts = Array.isArray(liveSpec.ports) ? (liveSpec.ports as Obj[]) : [];
      for (const p of Array.isArray(spec.ports) ? (spec.ports as Obj[]) : []) {
        const match = livePorts.find(
          (lp) => lp.port === p.port && (lp.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
        );
        if (p.nodePort === undefined && match?.nodePort !== undefined) p.nodePort = match.nodePort;
      }
      break;
    }
    case 'Job':
      if (liveSpec.selector !== undefined) spec.selector = liveSpec.selector;
      if (isObj(liveSpec.template) && isObj(spec.template)) {
        const lm = (liveSpec.template.metadata ?? {}) as Obj;
        const m = (spec.template.metadata ?? {}) as Obj;
        m.labels = { ...((lm.labels as Obj | undefined) ?? {}), ...((m.labels as Obj | undefined) ?? {}) };
        spec.template.metadata = m;
      }
      break;
    case 'Pod':
      for (const k of ['nodeName', 'serviceAccountName', 'volumes']) {
        if (spec[k] === undefined && liveSpec[k] !== undefined) spec[k] = liveSpec[k];
      }
      break;
    case 'ServiceAccount':
      if (next.secrets === undefined && live.secrets !== undefined) next.secrets = live.secrets;
      break;
    case 'PersistentVolumeClaim':
      if (spec.volumeName === undefined && liveSpec.volumeName !== undefined)
        spec.volumeName = liveSpec.volumeName;
      break;
    case 'Deployment':
      if (next.metadata.labels?.[LABELS.retainReplicas] === 'true' && liveSpec.replicas !== undefined) {
        spec.replicas = liveSpec.replicas;
      }
      break;
  }
  if (next.spec !== undefined) next.spec = spec;
}

/** The desired object made ready for a PUT over `live`: live metadata and member-owned fields kept. */
export function retainMemberFields(desired: KubeObject, live: KubeObject): KubeObject {
  const next = structuredClone(desired);
  next.metadata.resourceVersion = live.metadata.resourceVersion ?? '';
  if (live.metadata.finalizers) next.metadata.finalizers = [...live.metadata.finalizers];
  if (live.metadata.ownerReferences)
    next.metadata.ownerReferences = structuredClone(live.metadata.ownerReferences);
  next.metadata.labels = mergeMap(
    next.metadata.labels,
    live.metadata.labels,
    managedKeys(live, ANNOTATIONS.managedLabels),
  );
  next.metadata.annotations = mergeMap(
    next.metadata.annotations,
    live.metadata.annotations,
    managedKeys(live, ANNOTATIONS.managedAnnotations),
  );
  retainKind(next, live);
  return next;
}

/** A copy of `live` without Karmada's labels and annotations (keys under `karmada.io`). */
export function stripKarmadaMetadata(live: KubeObject): KubeObject {
  const next = structuredClone(live);
  const keep = (m: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => !/(^|\.)karmada\.io\//.test(k)));
  next.metadata.labels = keep(next.metadata.labels);
  next.metadata.annotations = keep(next.metadata.annotations);
  return next;
}
