/**
 * What every federation controller is built from: the control-plane client and its shared
 * informer factory, the member clients and the member-object watcher, whom they act for
 * (the control plane or one agent), and tuning knobs.
 */
import type { Logger } from 'pino';
import type { Client } from '../client/client.ts';
import type { InformerFactory } from '../controller/factory.ts';
import type { MemberWatcher } from './member-watch.ts';
import type { MemberSource } from './members.ts';

/** Options shared by the federation controllers' constructors. */
export interface FederationContext {
  /** Client of the control plane (karmada-apiserver). */
  client: Client;
  /** The shared control-plane factory; the caller starts it after building the controllers. */
  factory: InformerFactory;
  members: MemberSource;
  watcher: MemberWatcher;
  /**
   * Pull mode: the one cluster these controllers act for (the agent), watching only its
   * execution namespace and its own Cluster. Absent: the control plane, acting for every Push
   * cluster (see `scope.ts`).
   */
  agentFor?: string | undefined;
  logger?: Logger | undefined;
  /** Concurrent reconciles per controller; default 5 (Karmada's). */
  workers?: number | undefined;
}
