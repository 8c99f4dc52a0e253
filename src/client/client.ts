/**
 * `Client`: a generic REST client for any kind, addressed by `ResourceRef`. Every controller,
 * the agent and the mesh talk to API servers through it, so they work the same against
 * Flotilla's server and a real kube-apiserver. Methods resolve with plain JSON objects and throw
 * `ApiError` (test it with `isNotFound`, `isConflict`, `isExpired` from `src/api/errors.ts`).
 */
import type { KubeList, KubeObject, Status, WatchEvent } from '../api/meta.ts';
import { type PathOptions, type ResourceRef, resourcePath } from './resources.ts';
import { Transport, type TransportOptions } from './transport.ts';

/** Options for {@link Client}: the `KubeConfig` to use plus transport settings. */
export type ClientOptions = TransportOptions;

/** Names one object; `namespace` is required for namespaced kinds. */
export interface ObjectKey {
  name: string;
  namespace?: string | undefined;
}

/** Options for {@link Client.list}; a namespaced ref without `namespace` lists all namespaces. */
export interface ListOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Page size; the response's `metadata.continue` fetches the next page. */
  limit?: number | undefined;
  continue?: string | undefined;
  resourceVersion?: string | undefined;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan' | undefined;
  signal?: AbortSignal | undefined;
}

/** Options shared by writes. */
export interface WriteOptions {
  /** Overrides the object's `metadata.namespace`. */
  namespace?: string | undefined;
  fieldManager?: string | undefined;
  dryRun?: boolean | undefined;
}

/** The patch flavours the API server accepts, by their content types. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Options for {@link Client.patch}. */
export interface PatchOptions extends ObjectKey {
  type: PatchType;
  /** A merge/strategic/apply document, or a JSON Patch operation list. */
  patch: unknown;
  /** Required for `apply`. */
  fieldManager?: string | undefined;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean | undefined;
  subresource?: string | undefined;
  dryRun?: boolean | undefined;
}

/** Options for {@link Client.delete}. */
export interface DeleteOptions extends ObjectKey {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground' | undefined;
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  gracePeriodSeconds?: number | undefined;
  dryRun?: boolean | undefined;
}

/** Options for {@link Client.watch}. */
export interface WatchOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Resume after this version; `''`/absent starts with the current objects as ADDED events. */
  resourceVersion?: string | undefined;
  allowWatchBookmarks?: boolean | undefined;
  /** The server ends the watch after this long. */
  timeoutSeconds?: number | undefined;
  /** Aborting ends the stream without an error. */
  signal?: AbortSignal | undefined;
}

function objectKey(obj: KubeObject, namespace: string | undefined): PathOptions & ObjectKey {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind ?? 'object'} has no metadata.name`);
  return { name, namespace: namespace ?? obj.metadata.namespace };
}

/** A generic client over one `KubeConfig` context; reuse one per server (it pools connections). */
export class Client {
  readonly transport: Transport;

  constructor(options: ClientOptions) {
    this.transport = new Transport(options);
  }

  /** The server URL of the current context. */
  get server(): string {
    return this.transport.server;
  }

  /** Reads one object; throws NotFound when absent. */
  get<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    key: ObjectKey & { signal?: AbortSignal },
  ): Promise<T> {
    return this.transport.json<T>({
      method: 'GET',
      path: resourcePath(ref, key),
      ...(key.signal ? { signal: key.signal } : {}),
    });
  }

  /** Reads one page of a collection (all of it without `limit`). */
  list<T extends KubeObject = KubeObject>(ref: ResourceRef, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.transport.json<KubeList<T>>({
      method: 'GET',
      path: resourcePath(ref, { namespace: options.namespace }),
      query: {
        labelSelector: options.labelSelector || undefined,
        fieldSelector: options.fieldSelector || undefined,
        limit: options.limit,
        continue: options.continue || undefined,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * Reads every page of a collection (`limit` per page, default 500) and returns the items with
   * the first page's resourceVersion, which is consistent across pages. Throws Expired when the
   * continue token outlives the server's history.
   */
  async listAll<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: Omit<ListOptions, 'continue'> = {},
  ): Promise<KubeList<T>> {
    const first = await this.list<T>(ref, { limit: 500, ...options });
    const items = [...first.items];
    let next = first.metadata.continue;
    while (next) {
      const page = await this.list<T>(ref, { limit: 500, ...options, continue: next });
      items.push(...page.items);
      next = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion ?? '' }, items };
  }

  /** Creates an object in `options.namespace` or its own namespace; throws AlreadyExists. */
  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    obj: T,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.transport.json<T>({
      method: 'POST',
      path: resourcePath(ref, { namespace: options.namespace ?? obj.metadata?.namespace }),
      query: this.#writeQuery(options),
      body: obj,
    });
  }

  /** POSTs `body` to a subresource of one object (e.g. `pods/binding`); returns the server's answer. */
  createSubresource<T = KubeObject>(
    ref: ResourceRef,
    target: { name: string; namespace?: string | undefined; subresource: string },
    body: unknown,
  ): Promise<T> {
    return this.transport.json<T>({
      method: 'POST',
      path: resourcePath(ref, target),
      body,
    });
  }

  /** Replaces an object (PUT); throws Conflict when `metadata.resourceVersion` is stale. */
  update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    obj: T,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.transport.json<T>({
      method: 'PUT',
      path: resourcePath(ref, objectKey(obj, options.namespace)),
      query: this.#writeQuery(options),
      body: obj,
    });
  }

  /** Replaces an object's status subresource (PUT …/status); Conflict as `update`. */
  updateStatus<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    obj: T,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.transport.json<T>({
      method: 'PUT',
      path: resourcePath(ref, { ...objectKey(obj, options.namespace), subresource: 'status' }),
      query: this.#writeQuery(options),
      body: obj,
    });
  }

  /** Patches an object (or a subresource); `apply` is server-side apply and needs a fieldManager. */
  patch<T extends KubeObject = KubeObject>(ref: ResourceRef, options: PatchOptions): Promise<T> {
    return this.transport.json<T>({
      method: 'PATCH',
      path: resourcePath(ref, options),
      query: {
        fieldManager: options.fieldManager,
        force: options.type === 'apply' && options.force ? true : undefined,
        dryRun: options.dryRun ? 'All' : undefined,
      },
      body: options.patch,
      contentType: PATCH_CONTENT_TYPES[options.type],
    });
  }

  /** Server-side apply of a whole object as `fieldManager`, creating it when absent. */
  apply<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    obj: T,
    options: { fieldManager: string; force?: boolean; namespace?: string },
  ): Promise<T> {
    return this.patch<T>(ref, {
      ...objectKey(obj, options.namespace),
      type: 'apply',
      patch: obj,
      fieldManager: options.fieldManager,
      force: options.force,
    });
  }

  /**
   * Deletes an object; resolves with the object (when finalizers delay deletion) or a Success
   * `Status`. Throws NotFound, and Conflict when a precondition fails.
   */
  delete(ref: ResourceRef, options: DeleteOptions): Promise<KubeObject | Status> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    if (options.dryRun) body.dryRun = ['All'];
    return this.transport.json({ method: 'DELETE', path: resourcePath(ref, options), body });
  }

  /**
   * Opens a watch and yields its events as they arrive (ERROR events included, raw); ends when
   * the server closes the stream or `signal` aborts. Throws `ApiError` when the server refuses
   * the watch and the network error when the connection breaks. Does not retry: informers do.
   */
  async *watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    options: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    const lines = this.transport.lines({
      method: 'GET',
      path: resourcePath(ref, { namespace: options.namespace }),
      query: {
        watch: true,
        labelSelector: options.labelSelector || undefined,
        fieldSelector: options.fieldSelector || undefined,
        resourceVersion: options.resourceVersion || undefined,
        allowWatchBookmarks: options.allowWatchBookmarks || undefined,
        timeoutSeconds: options.timeoutSeconds,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const line of lines) yield JSON.parse(line) as WatchEvent<T>;
  }

  /** Closes pooled connections and open watches. */
  close(): Promise<void> {
    return this.transport.close();
  }

  #writeQuery(options: WriteOptions): Record<string, string | undefined> {
    return { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
  }
}
