/**
 * The detector's view of resource templates: discovery of every propagatable resource (preferred
 * versions, verbs list+watch+delete, minus skipped groups) refreshed on an interval, one shared
 * informer per resource, and template keys (`apiVersion|kind|namespace|name`) for the queue.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import type { ResourceRef } from '../../client/resources.ts';
import type { InformerFactory } from '../../controller/factory.ts';
import type { Informer } from '../../controller/informer.ts';
import { isSkippedResource } from './filter.ts';

/** A template's queue key. */
export function templateKey(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${obj.apiVersion}|${obj.kind}|${obj.metadata.namespace ?? ''}|${obj.metadata.name ?? ''}`;
}

/** Splits a {@link templateKey}. */
export function parseTemplateKey(key: string): {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
} {
  const [apiVersion = '', kind = '', namespace = '', name = ''] = key.split('|');
  return { apiVersion, kind, namespace, name };
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/** Resources to watch: preferred versions, verbs list+watch+delete, not skipped. */
export async function discoverPropagatable(client: Client): Promise<ResourceRef[]> {
  const t = client.transport;
  const gvs: string[] = [];
  const core = await t.json<{ versions: string[] }>({ method: 'GET', path: '/api' });
  if (core.versions.includes('v1')) gvs.push('v1');
  const groups = await t.json<{
    groups: { name: string; preferredVersion?: { groupVersion?: string; version: string } }[];
  }>({
    method: 'GET',
    path: '/apis',
  });
  for (const g of groups.groups) if (g.preferredVersion) gvs.push(`${g.name}/${g.preferredVersion.version}`);
  const out: ResourceRef[] = [];
  await Promise.all(
    gvs.map(async (gv) => {
      const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
      if (isSkippedResource(group, version, '')) return;
      let list: { resources: ApiResource[] };
      try {
        list = await t.json({ method: 'GET', path: group ? `/apis/${gv}` : '/api/v1' });
      } catch {
        return; // a group that fails discovery is retried on the next round
      }
      for (const r of list.resources) {
        if (r.name.includes('/')) continue;
        const verbs = r.verbs ?? [];
        if (!['list', 'watch', 'delete'].every((v) => verbs.includes(v))) continue;
        if (isSkippedResource(group, version, r.kind)) continue;
        out.push(Object.freeze({ group, version, resource: r.name, namespaced: r.namespaced, kind: r.kind }));
      }
    }),
  );
  return out;
}

/** The template informers the detector has registered, by `apiVersion|kind`. */
export class TemplateInformers {
  readonly #byKind = new Map<string, { ref: ResourceRef; informer: Informer }>();
  readonly #factory: InformerFactory;
  readonly #log: Logger;

  constructor(factory: InformerFactory, logger: Logger) {
    this.#factory = factory;
    this.#log = logger;
  }

  /** Registers informers for refs not seen before; calls `onNew` for each new one. */
  register(refs: readonly ResourceRef[], onNew: (informer: Informer) => void): void {
    for (const ref of refs) {
      const key = `${ref.group ? `${ref.group}/` : ''}${ref.version}|${ref.kind}`;
      if (this.#byKind.has(key)) continue;
      const informer = this.#factory.informer(ref);
      this.#byKind.set(key, { ref, informer });
      this.#log.info({ resource: ref.resource, group: ref.group }, 'watching resource templates');
      onNew(informer);
    }
  }

  /** The ref and informer for `apiVersion` + `kind`, when watched. */
  get(apiVersion: string, kind: string): { ref: ResourceRef; informer: Informer } | undefined {
    return this.#byKind.get(`${apiVersion}|${kind}`);
  }

  /** Every watched informer. */
  all(): Informer[] {
    return [...this.#byKind.values()].map((e) => e.informer);
  }
}
