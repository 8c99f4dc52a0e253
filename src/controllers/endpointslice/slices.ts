/**
 * What EndpointSlices a Service should have, computed from its pods; pure. Endpoints are the
 * pods the Service selects that have an IPv4 podIP, are not terminal and not terminating, and
 * are Ready — or all of them when `publishNotReadyAddresses` is set. Each pod's ports are the
 * Service's ports with `targetPort` resolved (a number, or a name looked up in the pod's
 * container ports of the same protocol); pods resolving to the same ports share slices of at
 * most {@link MAX_ENDPOINTS_PER_SLICE} endpoints.
 */
import type { KubeObject } from '../../api/meta.ts';
import { isPodReady, type Pod } from '../common/pods.ts';

/** Kubernetes' default `--max-endpoints-per-slice`. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
/** The label naming a slice's Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The label naming the controller that manages a slice. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** This controller's value of {@link MANAGED_BY_LABEL}, as Kubernetes' own. */
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

/** One port of a slice. */
export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** One endpoint of a slice (`discovery.k8s.io/v1 Endpoint`). */
export type Endpoint = Record<string, unknown>;

/** The content of one desired slice: its ports and endpoints. */
export interface DesiredSlice {
  ports: SlicePort[];
  endpoints: Endpoint[];
}

/** Whether the Service's selector map selects `pod` (a missing/empty selector selects nothing here). */
export function serviceSelects(service: KubeObject, pod: Pod): boolean {
  const selector: Record<string, string> | undefined = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The Service's ports as this pod serves them; ports whose named targetPort it lacks are left out. */
export function resolvePorts(service: KubeObject, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const protocol: string = sp.protocol ?? 'TCP';
    const target = sp.targetPort ?? sp.port;
    let port: number | undefined;
    if (typeof target === 'number') port = target;
    else if (/^\d+$/.test(String(target))) port = Number(target);
    else {
      for (const c of pod.spec?.containers ?? []) {
        const cp = (c.ports ?? []).find(
          (p: KubeObject) => p.name === target && (p.protocol ?? 'TCP') === protocol,
        );
        if (cp) {
          port = Number(cp.containerPort);
          break;
        }
      }
    }
    if (port === undefined || !Number.isInteger(port)) continue;
    const p: SlicePort = { name: sp.name ?? '', port, protocol };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** The endpoint for `pod`, or undefined when the pod must not be listed. */
export function endpointFor(service: KubeObject, pod: Pod): Endpoint | undefined {
  const ip: string | undefined = pod.status?.podIP;
  const phase = pod.status?.phase;
  if (
    !ip ||
    ip.includes(':') ||
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    pod.metadata.deletionTimestamp
  )
    return undefined;
  const ready = isPodReady(pod);
  const publishAll = service.spec?.publishNotReadyAddresses === true;
  if (!ready && !publishAll) return undefined;
  const ep: Endpoint = {
    addresses: [ip],
    conditions: { ready: ready || publishAll, serving: ready, terminating: false },
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
    },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

/**
 * The slices `service` should have given the pods in its namespace, ordered by port set then
 * pod name; a Service with no endpoints gets one empty slice (no ports), as Kubernetes keeps.
 */
export function desiredSlices(service: KubeObject, pods: readonly Pod[]): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  const sorted = [...pods].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const pod of sorted) {
    if (!serviceSelects(service, pod)) continue;
    const ep = endpointFor(service, pod);
    if (!ep) continue;
    const ports = resolvePorts(service, pod);
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) {
      g = { ports, endpoints: [] };
      groups.set(key, g);
    }
    g.endpoints.push(ep);
  }
  const out: DesiredSlice[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
  }
  if (out.length === 0) out.push({ ports: [], endpoints: [] });
  return out;
}
