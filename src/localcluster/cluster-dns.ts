/**
 * Cluster DNS for a local cluster without a DNS server: a hosts file (`/etc/hosts` format) that
 * maps every Service's names (`svc.ns.svc.cluster.local`, `svc.ns.svc`, `svc.ns`) to its
 * ClusterIP, rewritten whenever Services change, and the environment that makes a pod's Node
 * programs resolve through it (`dns-preload.ts`, loaded by `NODE_OPTIONS=--import=…`).
 */
import fs from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeObject } from '../api/meta.ts';
import { hasClusterIP } from './service-env.ts';

/** The cluster domain, as kubelet's `--cluster-domain` default. */
export const CLUSTER_DOMAIN = 'cluster.local';

const PRELOAD_SOURCE = path.join(import.meta.dirname, 'dns-preload.ts');

/** The hosts-file text for `services`: one line per Service with a ClusterIP, sorted. */
export function hostsFileText(services: readonly KubeObject[]): string {
  const lines: string[] = [];
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const { name, namespace = 'default' } = svc.metadata;
    const fqdn = `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
    lines.push(`${svc.spec.clusterIP} ${fqdn} ${name}.${namespace}.svc ${name}.${namespace}`);
  }
  return `# Service ClusterIPs of this local cluster, kept by flotilla\n${lines.sort().join('\n')}\n`;
}

/** Options of {@link ClusterDns}. */
export interface ClusterDnsOptions {
  /** Directory for `hosts` and `dns-preload.mjs` (created). */
  dir: string;
}

/**
 * Keeps the hosts file and the preload script under `dir`. The preload is written as plain
 * JavaScript (types stripped from `dns-preload.ts`) so that any Node version a pod runs loads it.
 */
export class ClusterDns {
  readonly hostsFile: string;
  readonly preloadFile: string;
  #last = '';

  /** Creates `dir`, writes the preload and an empty hosts file; blocks on file I/O. */
  constructor(options: ClusterDnsOptions) {
    fs.mkdirSync(options.dir, { recursive: true });
    this.hostsFile = path.join(options.dir, 'hosts');
    this.preloadFile = path.join(options.dir, 'dns-preload.mjs');
    const js = stripTypeScriptTypes(fs.readFileSync(PRELOAD_SOURCE, 'utf8'));
    writeAtomic(this.preloadFile, js);
    this.update([]);
  }

  /** Rewrites the hosts file (atomically, only when it changes) for the cluster's Services. */
  update(services: readonly KubeObject[]): void {
    const text = hostsFileText(services);
    if (text === this.#last) return;
    writeAtomic(this.hostsFile, text);
    this.#last = text;
  }

  /** The variables that give a pod of `namespace` cluster DNS (for Node programs). */
  podEnv(namespace: string): Record<string, string> {
    return {
      NODE_OPTIONS: `--import=${pathToFileURL(this.preloadFile).href}`,
      FLOTILLA_HOSTS_FILE: this.hostsFile,
      FLOTILLA_DNS_SEARCH: `${namespace}.svc.${CLUSTER_DOMAIN} svc.${CLUSTER_DOMAIN} ${CLUSTER_DOMAIN}`,
    };
  }
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
