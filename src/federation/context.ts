/**
 * What every federation controller is built from: the control-plane client and its shared
 * informer factory, the member-client cache and the member-object watcher, and tuning knobs.
 */
import type { Logger } from 'pino';
import type { Client } from '../client/client.ts';
import type { InformerFactory } from '../controller/factory.ts';
import type { MemberWatcher } from './member-watch.ts';
import type { MemberClients } from './members.ts';

/** Options shared by the federation controllers' constructors. */
export interface FederationContext {
  /** Client of the control plane (karmada-apiserver). */
  client: Client;
  /** The shared control-plane factory; the caller starts it after building the controllers. */
  factory: InformerFactory;
  members: MemberClients;
  watcher: MemberWatcher;
  logger?: Logger | undefined;
  /** Concurrent reconciles per controller; default 5 (Karmada's). */
  workers?: number | undefined;
}
