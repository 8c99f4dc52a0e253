/**
 * The mesh proxy: one HTTP proxy engine serving as the ingress gateway or as a pod's sidecar.
 * It takes compiled route tables (`CompiledMesh`) through `update` — the mesh stream client calls
 * it on every new version — and applies Istio's routing, resilience and telemetry semantics.
 */
import type { Logger } from 'pino';
import type { CompiledMesh } from '../routing/types.ts';

/** Who the proxy is: used for sourceLabels matching, locality preference, metrics and logs. */
export interface ProxyIdentity {
  /** Member cluster the proxy runs in (`member1`); `''` for the gateway outside every cluster. */
  cluster: string;
  namespace: string;
  /** Workload name (`productpage-v1`, `istio-ingressgateway`). */
  workload: string;
  /** `version` label, for metrics. */
  version?: string;
  /** Pod labels (sidecars: `sourceLabels` matching). */
  labels?: Record<string, string>;
  pod?: string;
  /** Locality for locality-aware load balancing. */
  locality?: { region?: string; zone?: string; subzone?: string };
}

/** One listening socket of the proxy. */
export interface ProxyListen {
  host: string;
  /** Local port; 0 picks a free one (see `Proxy.urls`). */
  port: number;
  /**
   * Gateways only: which Gateway server port this socket serves (`80` → served on 8080 locally).
   * Absent means `port`; `'any'` serves the servers of every port on this socket.
   */
  serverPort?: number | 'any';
}

/** Options of `startProxy`. */
export interface ProxyOptions {
  role: 'gateway' | 'sidecar';
  /** Sockets to serve; a sidecar normally has one outbound listener. */
  listen: ProxyListen[];
  identity: ProxyIdentity;
  /** Gateways only: the gateway's labels; it serves Gateways whose `spec.selector` matches them. */
  gatewayLabels?: Record<string, string>;
  /** Config to start with; without it every request answers 503/404 until `update`. */
  initial?: CompiledMesh;
  logger?: Logger;
  /** Where to serve `/stats/prometheus`; absent serves no metrics socket (see `Proxy.metrics`). */
  metricsListen?: { host: string; port: number };
}

/** A running proxy. */
export interface Proxy {
  /** Swaps in a new compiled mesh; in-flight requests finish on the config they started with. */
  update(mesh: CompiledMesh): void;
  /** Base URL of each listener, in `listen` order (`http://127.0.0.1:8080`). */
  readonly urls: string[];
  /** Base URL of the metrics socket, when `metricsListen` was given. */
  readonly metricsUrl: string | undefined;
  /** Prometheus text exposition of this proxy's registry. */
  metrics(): Promise<string>;
  /** Stops listening, closes upstream connections; resolves once closed. */
  close(): Promise<void>;
}

/** Starts a proxy; resolves once every listener is bound. */
export async function startProxy(_options: ProxyOptions): Promise<Proxy> {
  throw new Error('startProxy: not implemented');
}
