/**
 * Sidecar injection, as Istio's injection webhook does it for namespaces labelled
 * `istio-injection=enabled`: a new Pod gets an `istio-proxy` container (Istio's proxy image,
 * metrics port 15090, startup and readiness probes on `:15021/healthz/ready`) that knows its pod
 * through the downward API, and every application container sends its outbound HTTP through it
 * (`HTTP_PROXY=http://<pod IP>:15001` with `NODE_USE_ENV_PROXY=1`; the pod's own address and
 * loopback bypass it). Pods opt out with `sidecar.istio.io/inject: "false"` (label or annotation).
 */
import type { KubeObject } from '../../api/meta.ts';
import type { AdmissionPlugin } from '../../apiserver/admission/index.ts';
import { workloadOf } from '../registry/merge.ts';

// biome-ignore lint/suspicious/noExplicitAny: pod specs are open JSON
type Obj = Record<string, any>;

/** The sidecar container's name, as Istio's. */
export const SIDECAR_NAME = 'istio-proxy';
/** The image injected sidecars run; the process runtime maps it to Flotilla's sidecar program. */
export const SIDECAR_IMAGE = 'docker.io/istio/proxyv2:1.24.0';
/** Where the sidecar listens for the application's outbound HTTP (Istio's outbound capture port). */
export const OUTBOUND_PORT = 15001;
/** Where the sidecar serves Prometheus metrics (`/stats/prometheus`). */
export const METRICS_PORT = 15090;
/** Where the sidecar answers `/healthz/ready` (Istio's status port). */
export const STATUS_PORT = 15021;

const NAMESPACE_LABEL = 'istio-injection';
const INJECT_KEY = 'sidecar.istio.io/inject';
const STATUS_ANNOTATION = 'sidecar.istio.io/status';

/** Whether a pod in a namespace with `namespaceLabels` gets a sidecar (Istio's namespace policy). */
export function wantsSidecar(
  pod: KubeObject,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (namespaceLabels?.[NAMESPACE_LABEL] !== 'enabled') return false;
  const meta = pod.metadata;
  if (meta.labels?.[INJECT_KEY] === 'false' || meta.annotations?.[INJECT_KEY] === 'false') return false;
  if (meta.annotations?.[STATUS_ANNOTATION] !== undefined) return false;
  const spec: Obj = pod.spec ?? {};
  if (spec.hostNetwork === true) return false;
  const containers: Obj[] = Array.isArray(spec.containers) ? spec.containers : [];
  return containers.length > 0 && !containers.some((c) => c?.name === SIDECAR_NAME);
}

function field(name: string, fieldPath: string): Obj {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}

/** Adds entries to a container's env unless it already sets them; ours go first so its own win. */
function withEnv(container: Obj, entries: Obj[]): Obj {
  const own: Obj[] = Array.isArray(container.env) ? container.env : [];
  const names = new Set(own.map((e) => e?.name));
  return { ...container, env: [...entries.filter((e) => !names.has(e.name)), ...own] };
}

/** What {@link injectSidecar} needs to know about the cluster. */
export interface InjectOptions {
  /** The member cluster's name (`ISTIO_META_CLUSTER_ID`). */
  clusterName: string;
  /** Sidecar image; default {@link SIDECAR_IMAGE}. */
  image?: string;
}

/** Returns a copy of `pod` with the sidecar injected (callers check {@link wantsSidecar} first). */
export function injectSidecar(pod: KubeObject, options: InjectOptions): KubeObject {
  const spec: Obj = pod.spec ?? {};
  const containers: Obj[] = spec.containers;
  const labels = { ...(pod.metadata.labels ?? {}) };
  const workload = workloadOf(pod) || (pod.metadata.generateName ?? '').replace(/-$/, '');
  const owner = (pod.metadata.ownerReferences ?? []).find((o) => o.controller === true);
  const appNames = containers.map((c) => String(c.name));
  const ports = containers.flatMap((c) => (Array.isArray(c.ports) ? c.ports : []));
  const proxy: Obj = {
    name: SIDECAR_NAME,
    image: options.image ?? SIDECAR_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning'],
    ports: [{ name: 'http-envoy-prom', containerPort: METRICS_PORT, protocol: 'TCP' }],
    env: [
      field('POD_NAME', 'metadata.name'),
      field('POD_NAMESPACE', 'metadata.namespace'),
      field('INSTANCE_IP', 'status.podIP'),
      field('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
      field('HOST_IP', 'status.hostIP'),
      { name: 'ISTIO_META_CLUSTER_ID', value: options.clusterName },
      { name: 'ISTIO_META_WORKLOAD_NAME', value: workload },
      ...(owner
        ? [
            {
              name: 'ISTIO_META_OWNER',
              value: `kubernetes://apis/apps/v1/namespaces/${pod.metadata.namespace ?? 'default'}/${owner.kind.toLowerCase()}s/${owner.name}`,
            },
          ]
        : []),
      { name: 'ISTIO_META_APP_CONTAINERS', value: appNames.join(',') },
      { name: 'ISTIO_META_POD_PORTS', value: JSON.stringify(ports) },
      { name: 'ISTIO_META_MESH_ID', value: 'cluster.local' },
      { name: 'ISTIO_METAJSON_LABELS', value: JSON.stringify(labels) },
    ],
    startupProbe: {
      httpGet: { path: '/healthz/ready', port: STATUS_PORT },
      periodSeconds: 1,
      timeoutSeconds: 3,
      failureThreshold: 600,
    },
    readinessProbe: {
      httpGet: { path: '/healthz/ready', port: STATUS_PORT },
      periodSeconds: 15,
      timeoutSeconds: 3,
      failureThreshold: 4,
    },
    resources: { requests: { cpu: '10m', memory: '40Mi' }, limits: { cpu: '2', memory: '1Gi' } },
  };
  const appEnv = [
    field('INSTANCE_IP', 'status.podIP'),
    { name: 'HTTP_PROXY', value: `http://$(INSTANCE_IP):${OUTBOUND_PORT}` },
    { name: 'NO_PROXY', value: 'localhost,127.0.0.1,::1,$(INSTANCE_IP)' },
    { name: 'NODE_USE_ENV_PROXY', value: '1' },
  ];
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      labels: {
        ...labels,
        'security.istio.io/tlsMode': 'istio',
        'service.istio.io/canonical-name':
          labels['service.istio.io/canonical-name'] ?? labels.app ?? workload,
        'service.istio.io/canonical-revision':
          labels['service.istio.io/canonical-revision'] ?? labels.version ?? 'latest',
      },
      annotations: {
        ...(pod.metadata.annotations ?? {}),
        'kubectl.kubernetes.io/default-container': appNames[0] ?? '',
        'kubectl.kubernetes.io/default-logs-container': appNames[0] ?? '',
        [STATUS_ANNOTATION]: JSON.stringify({ containers: [SIDECAR_NAME], revision: 'default' }),
      },
    },
    spec: { ...spec, containers: [...containers.map((c) => withEnv(c, appEnv)), proxy] },
  };
}

/** Options of {@link sidecarInjector}. */
export interface InjectorOptions extends InjectOptions {
  /** The labels of namespace `name`, or undefined when it does not exist. */
  namespaceLabels(name: string): Promise<Record<string, string> | undefined>;
}

/** The admission plugin: injects the sidecar into new Pods of labelled namespaces. */
export function sidecarInjector(options: InjectorOptions): AdmissionPlugin {
  return {
    name: 'SidecarInjector',
    async admit(req) {
      if (
        req.operation !== 'CREATE' ||
        req.subresource !== '' ||
        req.def.kind !== 'Pod' ||
        req.def.group !== ''
      )
        return;
      const pod = req.object;
      const ns = await options.namespaceLabels(pod.metadata.namespace ?? 'default');
      if (!wantsSidecar(pod, ns)) return;
      const injected = injectSidecar(pod, options);
      pod.metadata = injected.metadata;
      pod.spec = injected.spec;
    },
  };
}
