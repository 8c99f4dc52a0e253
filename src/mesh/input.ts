/**
 * What the mesh compiler reads: Istio configuration from the control plane and the services of
 * every member cluster, merged. The mesh controller (`controller/`) builds a `MeshInput` from its
 * informers; `compile/` turns it into route tables with one pure function. Plain data only.
 */
import type { KubeObject } from '../api/meta.ts';

/** The DNS suffix every service name is qualified with (`reviews.default.svc.cluster.local`). */
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** One port of a Service, as declared (`spec.ports[]`). */
export interface MeshServicePort {
  /** Port name (`http`); Istio uses its prefix for protocol selection. */
  name?: string | undefined;
  /** The Service port clients call (9080). */
  port: number;
  /** `TCP` unless declared. */
  protocol: string;
  /** `appProtocol`, when declared. */
  appProtocol?: string | undefined;
  /** The numeric container port the endpoints listen on for this port (resolved from EndpointSlices). */
  targetPort?: number | undefined;
}

/** One endpoint (a pod address) of a service, in one member cluster. */
export interface MeshEndpoint {
  /** Pod IP. */
  address: string;
  /** Endpoint port by Service port name (`''` for an unnamed single port) — from the EndpointSlice. */
  ports: Record<string, number>;
  /** Member cluster the endpoint lives in (`member1`). */
  cluster: string;
  /** Ready per the EndpointSlice conditions; not-ready endpoints are not routed to. */
  ready: boolean;
  /** The pod's labels (`app`, `version`, …): DestinationRule subsets select on them. */
  labels: Record<string, string>;
  /** Locality from the member Cluster (`region/zone/subzone`), for locality load balancing. */
  locality?:
    | { region?: string | undefined; zone?: string | undefined; subzone?: string | undefined }
    | undefined;
  /** The pod that backs it (`reviews-v2-5d6f…`), for metrics and logs. */
  pod?: string | undefined;
  /** Workload name for metrics (`reviews-v2`): the pod's owning Deployment when known, else the pod name. */
  workload?: string | undefined;
}

/**
 * A service of the mesh: every member cluster's Service with this namespace and name, merged
 * (Istio's multi-primary model: same name + namespace = same service, endpoints are the union).
 */
export interface MeshService {
  name: string;
  namespace: string;
  /** `name.namespace.svc.cluster.local`. */
  hostname: string;
  /** Union of the clusters' declared ports (by port number). */
  ports: MeshServicePort[];
  /** ClusterIP per member cluster (a sidecar maps a call to a ClusterIP back to its service). */
  clusterIPs: Array<{ cluster: string; ip: string }>;
  /** Member clusters that declare this Service. */
  clusters: string[];
  endpoints: MeshEndpoint[];
}

/** Everything the compiler reads; objects are as stored (any served Istio version: v1, v1beta1, v1alpha3). */
export interface MeshInput {
  gateways: KubeObject[];
  virtualServices: KubeObject[];
  destinationRules: KubeObject[];
  serviceEntries: KubeObject[];
  services: MeshService[];
}
