/**
 * Turning what a user types for a kind (`deployment`, `deployments`, `deploy`, `Deployment`,
 * `deployments.apps`) into the served collection, through discovery as kubectl does.
 */
import type { Client } from '../client/client.ts';
import { Discovery } from '../client/discovery.ts';
import type { ResourceRef } from '../client/resources.ts';
import { CliError } from './errors.ts';

/** kubectl's short names for the kinds Flotilla serves. */
const SHORT_NAMES: Record<string, string> = {
  deploy: 'deployments',
  rs: 'replicasets',
  sts: 'statefulsets',
  ds: 'daemonsets',
  svc: 'services',
  sa: 'serviceaccounts',
  cm: 'configmaps',
  ns: 'namespaces',
  po: 'pods',
  pp: 'propagationpolicies',
  cpp: 'clusterpropagationpolicies',
  op: 'overridepolicies',
  cop: 'clusteroverridepolicies',
  rb: 'resourcebindings',
  crb: 'clusterresourcebindings',
  gw: 'gateways',
  vs: 'virtualservices',
  dr: 'destinationrules',
  se: 'serviceentries',
};

/** A served collection plus the apiVersion its objects carry. */
export interface ResolvedKind {
  ref: ResourceRef;
  apiVersion: string;
  kind: string;
}

/**
 * Resolves `typed` against the server's discovery; the core group and `apps` win over others.
 * Throws a one-line `CliError` when the server serves no such kind.
 */
export async function resolveKind(client: Client, typed: string): Promise<ResolvedKind> {
  const lower = typed.toLowerCase();
  const dot = lower.indexOf('.');
  const word = SHORT_NAMES[dot < 0 ? lower : lower.slice(0, dot)] ?? (dot < 0 ? lower : lower.slice(0, dot));
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  const discovery = new Discovery({ client });
  const versions = await discovery.groupVersions();
  const rank = (gv: string) => (!gv.includes('/') ? 0 : gv.startsWith('apps/') ? 1 : 2);
  for (const gv of [...versions].sort((a, b) => rank(a) - rank(b))) {
    const g = gv.includes('/') ? gv.slice(0, gv.indexOf('/')) : '';
    if (group !== undefined && g !== group) continue;
    const list = await discovery.resources(gv).catch(() => []);
    const hit = list.find(
      (r) => r.name === word || r.kind.toLowerCase() === word || `${r.kind.toLowerCase()}s` === word,
    );
    if (hit) {
      return {
        ref: {
          group: g,
          version: gv.includes('/') ? gv.slice(gv.indexOf('/') + 1) : gv,
          resource: hit.name,
          namespaced: hit.namespaced,
          kind: hit.kind,
        },
        apiVersion: gv,
        kind: hit.kind,
      };
    }
  }
  throw new CliError(`the server doesn't have a resource type "${typed}"`);
}
