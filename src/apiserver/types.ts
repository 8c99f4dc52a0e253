/**
 * The API server's public contract: how it is started and what a running one exposes.
 * `startApiServer` (in `index.ts`) takes these options; `cmd/` and local clusters call it.
 */
import type { Logger } from 'pino';
import type { ResourceDef } from '../api/resource-def.ts';
import type { Storage } from '../storage/types.ts';
import type { AdmissionPlugin } from './admission/index.ts';
import type { SubresourceHandler } from './context.ts';

/** Who made a request, as decided by authentication. */
export interface UserInfo {
  name: string;
  groups: string[];
}

/** Decides who a bearer token belongs to; undefined means 401. May look the token up asynchronously. */
export type TokenAuthenticator = (token: string) => UserInfo | undefined | Promise<UserInfo | undefined>;

/**
 * Decides whether a user may do something; returns a reason string to refuse (403), undefined
 * to allow. Absent: every authenticated user may do everything. A resource request without
 * credentials is asked as `system:anonymous`: allowed, it proceeds; refused, it gets 401.
 */
export type Authorizer = (user: UserInfo, request: AuthorizationRequest) => string | undefined;

export interface AuthorizationRequest {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** Non-resource request path (`/healthz`, `/api`), when the request is not for a resource. */
  path?: string;
}

export interface TlsMaterial {
  /** PEM serving certificate (chain). */
  cert: string;
  /** PEM private key. */
  key: string;
  /**
   * PEM CA whose client certificates authenticate users (CN is the user, each O a group; the
   * certificate must allow client authentication). Absent: client certificates are not asked for.
   */
  clientCa?: string;
}

export interface ApiServerOptions {
  storage: Storage;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 picks a free one. */
  port: number;
  /** HTTPS material; absent serves plain HTTP (tests only: kubectl sends no token over http). */
  tls?: TlsMaterial;
  /** Bearer-token authentication; absent lets every request in as `system:anonymous` admin. */
  authenticate?: TokenAuthenticator;
  authorize?: Authorizer;
  /** Largest accepted request body; default 3 MiB. */
  maxBodyBytes?: number;
  /** Kinds served besides the built-in catalog (e.g. a local cluster may add none). */
  extraResources?: ResourceDef[];
  /** How often history is compacted, keeping `compactionKeep` revisions; default 5 minutes / 10,000 revisions. */
  compactionIntervalMs?: number;
  compactionKeep?: number;
  logger?: Logger;
  /** Mutating/validating admission plugins run after the built-in ones (ClusterIP allocation). */
  admission?: AdmissionPlugin[];
  /** Service ClusterIP range; default 10.96.0.0/16. */
  serviceCidr?: string;
  /** Handlers for special subresources, keyed `resource/subresource` (e.g. `pods/log`). */
  subresourceHandlers?: Record<string, SubresourceHandler>;
  /** Namespaces created at start-up when missing; default default, kube-system, kube-public, kube-node-lease. */
  initialNamespaces?: string[];
  /** Events the watch cache keeps for resuming watches in memory; default 20,000. */
  watchCacheSize?: number;
  /** Cluster name reported in logs. */
  name?: string;
}

export interface RunningApiServer {
  /** `https://127.0.0.1:PORT` or `http://…`. */
  url: string;
  port: number;
  /** Stops accepting, ends watches, stops background loops; does not close the storage. */
  close(): Promise<void>;
}
