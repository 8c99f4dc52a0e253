/**
 * Karmada's built-in dependency interpretation (K:pkg/resourceinterpreter/default/native/
 * dependencies.go): which ConfigMaps, Secrets, ServiceAccounts and PersistentVolumeClaims a
 * workload's pod template references, and which TLS Secrets an Ingress names. A Service is
 * never a dependency. Pure: no I/O, deterministic order.
 */
import type { KubeObject } from '../../api/meta.ts';

/** One dependency, as recorded in the binding annotation `resourcebinding.karmada.io/dependencies`. */
export interface DependentObjectReference {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

// biome-ignore lint/suspicious/noExplicitAny: pod specs are open JSON
type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const nameOf = (v: unknown): string | undefined =>
  isObj(v) && typeof v.name === 'string' && v.name ? v.name : undefined;

/** Where the pod spec sits in each supported workload, by `group/Kind`. */
const POD_SPEC: Record<string, (o: Obj) => unknown> = {
  'apps/Deployment': (o) => o.spec?.template?.spec,
  'apps/ReplicaSet': (o) => o.spec?.template?.spec,
  'apps/StatefulSet': (o) => o.spec?.template?.spec,
  'apps/DaemonSet': (o) => o.spec?.template?.spec,
  'batch/Job': (o) => o.spec?.template?.spec,
  'batch/CronJob': (o) => o.spec?.jobTemplate?.spec?.template?.spec,
  '/Pod': (o) => o.spec,
};

function groupKind(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.slice(0, obj.apiVersion.indexOf('/')) : '';
  return `${group}/${obj.kind}`;
}

/** Whether Karmada interprets dependencies for this kind (pod-template workloads and Ingress). */
export function hasDependencyInterpreter(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  const gk = groupKind(obj);
  return gk in POD_SPEC || gk === 'networking.k8s.io/Ingress';
}

function containers(spec: Obj): Obj[] {
  return [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
}

/** Secret-bearing volume sources besides `secret` and `projected` (Kubernetes' VisitPodSecretNames). */
const SECRET_REF_VOLUMES = ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos'];

function secretNames(spec: Obj): Set<string> {
  const out = new Set<string>();
  const add = (n: string | undefined) => {
    if (n) out.add(n);
  };
  for (const s of list(spec.imagePullSecrets)) add(nameOf(s));
  for (const c of containers(spec)) {
    for (const e of list(c.envFrom)) add(nameOf(e.secretRef));
    for (const e of list(c.env)) add(nameOf(e.valueFrom?.secretKeyRef));
  }
  for (const v of list(spec.volumes)) {
    if (isObj(v.secret) && typeof v.secret.secretName === 'string') add(v.secret.secretName || undefined);
    for (const src of list(v.projected?.sources)) add(nameOf(src.secret));
    if (isObj(v.azureFile) && typeof v.azureFile.secretName === 'string')
      add(v.azureFile.secretName || undefined);
    for (const k of SECRET_REF_VOLUMES) add(nameOf(v[k]?.secretRef));
    add(nameOf(v.csi?.nodePublishSecretRef));
  }
  return out;
}

function configMapNames(spec: Obj): Set<string> {
  const out = new Set<string>();
  const add = (n: string | undefined) => {
    if (n) out.add(n);
  };
  for (const c of containers(spec)) {
    for (const e of list(c.envFrom)) add(nameOf(e.configMapRef));
    for (const e of list(c.env)) add(nameOf(e.valueFrom?.configMapKeyRef));
  }
  for (const v of list(spec.volumes)) {
    add(nameOf(v.configMap));
    for (const src of list(v.projected?.sources)) add(nameOf(src.configMap));
  }
  return out;
}

function claimNames(spec: Obj): Set<string> {
  const out = new Set<string>();
  for (const v of list(spec.volumes)) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (typeof claim === 'string' && claim) out.add(claim);
  }
  return out;
}

function refs(kind: string, namespace: string, names: Iterable<string>): DependentObjectReference[] {
  return [...names].sort().map((name) => ({ apiVersion: 'v1', kind, namespace, name }));
}

/**
 * The dependencies of `obj`, in Karmada's grouping (ConfigMaps, Secrets, ServiceAccounts,
 * PersistentVolumeClaims; each sorted by name), all in the object's namespace. A StatefulSet's
 * claims made from its `volumeClaimTemplates` are left out; `default` is never a ServiceAccount
 * dependency. Kinds without an interpreter have none.
 */
export function dependenciesOf(obj: KubeObject): DependentObjectReference[] {
  const namespace = obj.metadata.namespace ?? '';
  const gk = groupKind(obj);
  if (gk === 'networking.k8s.io/Ingress') {
    const names = list(obj.spec?.tls).flatMap((t) =>
      typeof t.secretName === 'string' && t.secretName ? [t.secretName] : [],
    );
    return refs('Secret', namespace, new Set(names));
  }
  const at = POD_SPEC[gk];
  const spec = at?.(obj);
  if (!isObj(spec)) return [];
  const accounts = new Set<string>();
  const sa = spec.serviceAccountName;
  if (typeof sa === 'string' && sa && sa !== 'default') accounts.add(sa);
  const claims = claimNames(spec);
  if (gk === 'apps/StatefulSet') {
    for (const t of list(obj.spec?.volumeClaimTemplates)) {
      const n = t.metadata?.name;
      if (typeof n === 'string') claims.delete(n);
    }
  }
  return [
    ...refs('ConfigMap', namespace, configMapNames(spec)),
    ...refs('Secret', namespace, secretNames(spec)),
    ...refs('ServiceAccount', namespace, accounts),
    ...refs('PersistentVolumeClaim', namespace, claims),
  ];
}

/** The key of a dependency or template reference: `apiVersion|kind|namespace|name`. */
export function dependencyKey(r: {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}): string {
  return `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
}
