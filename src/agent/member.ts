/**
 * The agent's one member cluster as a `MemberSource`: the client built from the member
 * kubeconfig the agent was started with. Any other cluster name is refused, so a shared
 * controller can never reach past the agent's own cluster.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { Client } from '../client/client.ts';
import { Discovery } from '../client/discovery.ts';
import type { MemberClient, MemberSource } from '../federation/members.ts';

/** Options for {@link ownMember}. */
export interface OwnMemberOptions {
  cluster: string;
  kubeConfig: KubeConfig;
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
  /** QPS toward the member; default 40 (Karmada's agent). */
  qps?: number;
}

/** A member source holding one client; `close` ends its connections. */
export interface OwnMember extends MemberSource {
  member: MemberClient;
  close(): Promise<void>;
}

/** Builds the member source for `cluster`; does no I/O. */
export function ownMember(options: OwnMemberOptions): OwnMember {
  const client = new Client({
    kubeConfig: options.kubeConfig,
    timeoutMs: options.timeoutMs ?? 15_000,
    qps: options.qps ?? 40,
    burst: 60,
    userAgent: 'flotilla-agent',
  });
  const member: MemberClient = { cluster: options.cluster, client, discovery: new Discovery({ client }) };
  return {
    member,
    async get(name) {
      if (name !== options.cluster) {
        throw new Error(`the agent of cluster "${options.cluster}" cannot reach cluster "${name}"`);
      }
      return member;
    },
    onChange: () => () => {},
    forget: async () => {},
    close: () => client.close(),
  };
}
