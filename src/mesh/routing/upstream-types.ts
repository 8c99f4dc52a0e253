/**
 * Upstream clusters of the compiled mesh: endpoints and the DestinationRule traffic policy
 * (load balancer, locality, connection pool, outlier detection) of one service port and subset.
 * Plain JSON data, part of `CompiledMesh`.
 */

/** One endpoint of an upstream cluster. */
export interface UpstreamEndpoint {
  /** IP or DNS name. */
  address: string;
  port: number;
  /** Member cluster of the endpoint (`''` for ServiceEntry endpoints). */
  cluster: string;
  locality?: { region?: string; zone?: string; subzone?: string };
  labels: Record<string, string>;
  workload?: string;
  pod?: string;
  /** Relative LB weight (ServiceEntry endpoints may set one); default 1. */
  weight?: number;
}

/** What a consistent-hash load balancer hashes on. */
export type HashKey =
  | { header: string }
  | { cookie: { name: string; path?: string; ttlMs?: number } }
  | { queryParameter: string }
  | { sourceIp: true };

/** Load balancer of an upstream cluster. */
export type LoadBalancer =
  | { simple: 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM' | 'PASSTHROUGH' }
  | {
      consistentHash: {
        key: HashKey;
        algorithm: 'ringHash' | 'maglev';
        /** Ring size (ringHash) or table size (maglev). */
        size: number;
      };
    };

/** Locality load-balancing settings (effective only with outlier detection, Istio's rule). */
export interface LocalitySettings {
  enabled: boolean;
  distribute?: Array<{ from: string; to: Record<string, number> }>;
  failover?: Array<{ from: string; to: string }>;
  failoverPriority?: string[];
}

/** Connection pool limits; absent fields are unlimited (Envoy's defaults). */
export interface ConnectionPool {
  maxConnections?: number;
  connectTimeoutMs: number;
  http1MaxPendingRequests?: number;
  http2MaxRequests?: number;
  maxRequestsPerConnection?: number;
  maxRetries?: number;
  idleTimeoutMs?: number;
}

/** Outlier detection, defaults filled in. */
export interface OutlierDetection {
  /** 0 disables 5xx counting. */
  consecutive5xxErrors: number;
  /** 0 disables gateway-error counting (502, 503, 504). */
  consecutiveGatewayErrors: number;
  intervalMs: number;
  baseEjectionTimeMs: number;
  maxEjectionPercent: number;
  minHealthPercent: number;
}

/** An upstream (Envoy) cluster: one service port, optionally one subset. */
export interface UpstreamCluster {
  /** `outbound|<port>|<subset>|<fqdn>`. */
  name: string;
  host: string;
  port: number;
  subset: string;
  /** Service short name and namespace (metrics: destination_service_name/namespace). */
  serviceName: string;
  namespace: string;
  /** Ready endpoints only, in a stable order. */
  endpoints: UpstreamEndpoint[];
  lb: LoadBalancer;
  locality: LocalitySettings;
  connectionPool: ConnectionPool;
  outlierDetection?: OutlierDetection;
  /** TLS origination mode from the DestinationRule (`SIMPLE` means https upstream). */
  tlsMode?: string;
}
