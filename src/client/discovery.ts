/**
 * Discovery: resolves `apiVersion` + `kind` to a `ResourceRef` by reading the group version's
 * `APIResourceList` (`/api/v1`, `/apis/<group>/<version>`), which every Kubernetes API server
 * serves. Results are cached per group version; a kind missing from the cache triggers one
 * refetch, so CRDs registered after the first lookup are found.
 */
import { ApiError, isNotFound } from '../api/errors.ts';
import { parseApiVersion } from '../api/meta.ts';
import type { Client } from './client.ts';
import type { ResourceRef } from './resources.ts';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

interface ApiResourceList {
  groupVersion: string;
  resources: ApiResource[];
}

interface ApiGroupList {
  groups: { name: string; preferredVersion?: { version: string }; versions: { version: string }[] }[];
}

/** Options for {@link Discovery}. */
export interface DiscoveryOptions {
  client: Client;
  /** How long a group version's resource list is trusted; default 10 minutes. */
  ttlMs?: number;
}

/** A caching resolver of kinds to resources; share one per client. */
export class Discovery {
  readonly #client: Client;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { at: number; list: Promise<ApiResource[]> }>();

  constructor(options: DiscoveryOptions) {
    this.#client = options.client;
    this.#ttlMs = options.ttlMs ?? 600_000;
  }

  /** The resources served in a group version (`apps/v1`), subresources excluded; cached. */
  async resources(apiVersion: string, options: { fresh?: boolean } = {}): Promise<ApiResource[]> {
    const hit = this.#cache.get(apiVersion);
    if (hit && !options.fresh && Date.now() - hit.at < this.#ttlMs) return hit.list;
    const { group, version } = parseApiVersion(apiVersion);
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const list = this.#client.transport
      .json<ApiResourceList>({ method: 'GET', path })
      .then((l) => l.resources.filter((r) => !r.name.includes('/')));
    this.#cache.set(apiVersion, { at: Date.now(), list });
    list.catch(() => this.#cache.delete(apiVersion));
    return list;
  }

  /**
   * The ref for `apiVersion` + `kind`; throws NotFound ("no matches for kind") when the server
   * does not serve it. Blocks on at most two discovery requests.
   */
  async resolve(target: { apiVersion: string; kind: string }): Promise<ResourceRef> {
    const { group, version } = parseApiVersion(target.apiVersion);
    const find = (list: ApiResource[]) => list.find((r) => r.kind === target.kind);
    let found: ApiResource | undefined;
    try {
      found = find(await this.resources(target.apiVersion));
      if (!found) found = find(await this.resources(target.apiVersion, { fresh: true }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!found) {
      throw new ApiError(
        404,
        'NotFound',
        `no matches for kind "${target.kind}" in version "${target.apiVersion}"`,
        {
          details: { group, kind: target.kind },
        },
      );
    }
    return Object.freeze({
      group,
      version,
      resource: found.name,
      namespaced: found.namespaced,
      kind: found.kind,
    });
  }

  /** Every served group version (`v1`, `apps/v1`, …), from `/api` and `/apis`; not cached. */
  async groupVersions(): Promise<string[]> {
    const core = await this.#client.transport.json<{ versions: string[] }>({ method: 'GET', path: '/api' });
    const groups = await this.#client.transport.json<ApiGroupList>({ method: 'GET', path: '/apis' });
    return [
      ...core.versions,
      ...groups.groups.flatMap((g) => g.versions.map((v) => `${g.name}/${v.version}`)),
    ];
  }

  /** Forgets every cached resource list. */
  invalidate(): void {
    this.#cache.clear();
  }
}
