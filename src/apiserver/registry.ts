/**
 * Registry: the generic REST semantics of every kind over Storage — get, list, create, update,
 * patch, delete — with optimistic concurrency, defaulting, admission, validation, generation,
 * finalizers and dry runs. Handlers call it; so do the server's own controllers (GC, namespaces).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { ApiError, errors } from '../api/errors.ts';
import { formatApiVersion, type KubeList, type KubeObject, parseApiVersion } from '../api/meta.ts';
import type { ResourceDef } from '../api/resource-def.ts';
import { validateObjectMeta } from '../api/resources/index.ts';
import { isStorageError, type KeyValue, type Storage } from '../storage/types.ts';
import type { AdmissionPlugin, AdmissionRequest } from './admission/index.ts';
import { decode, encode, kindPrefix, objectKey } from './keys.ts';
import { keepMetadataForStatus, normaliseMeta, prepareForCreate, prepareForUpdate } from './object-meta.ts';
import { applyPatchByContentType } from './patch/index.ts';
import { type DeleteOptions, deleteObject } from './registry-delete.ts';
import { type ListOptions, listObjects } from './registry-list.ts';
import { storageToApiError } from './storage-errors.ts';
import type { UserInfo } from './types.ts';

export type { DeleteOptions } from './registry-delete.ts';
export type { ListOptions } from './registry-list.ts';

export interface WriteOptions {
  dryRun?: boolean;
  /** Set by server-side apply creates: keep the managedFields apply computed. */
  appliedFields?: boolean;
  fieldManager?: string;
  user?: UserInfo;
  /** `status` for the status subresource. */
  subresource?: string;
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

export interface RegistryOptions {
  storage: Storage;
  admission?: AdmissionPlugin[];
  logger?: Logger;
  /** Looks a kind up by group and Kind, to check that namespaces exist. */
  namespaceDef: ResourceDef;
}

const MAX_CONFLICT_RETRIES = 8;

export class Registry {
  readonly storage: Storage;
  readonly #admission: AdmissionPlugin[];
  readonly #namespaceDef: ResourceDef;
  readonly logger: Logger | undefined;

  constructor(options: RegistryOptions) {
    this.storage = options.storage;
    this.#admission = options.admission ?? [];
    this.#namespaceDef = options.namespaceDef;
    this.logger = options.logger;
  }

  /** Reads one object (strongly consistent, from storage). */
  async get(def: ResourceDef, namespace: string, name: string, version?: string): Promise<KubeObject> {
    const kv = await this.#read(def, namespace, name);
    if (!kv) throw errors.notFound(target(def, name));
    return decode(kv, def, version);
  }

  /** Lists objects of a kind, filtered and paged. */
  list(def: ResourceDef, namespace: string, options: ListOptions = {}, version?: string): Promise<KubeList> {
    return listObjects(this.storage, def, namespace, options, version);
  }

  /** Creates an object; `body` is the decoded request body and is not modified. */
  async create(
    def: ResourceDef,
    namespace: string,
    body: KubeObject,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const obj = checkBody(def, namespace, structuredClone(body));
    if (obj.metadata.resourceVersion)
      throw errors.badRequest('resourceVersion should not be set on objects to be created');
    if (!obj.metadata.name && !obj.metadata.generateName) {
      throw errors.invalid(def.kind, def.group, '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
          field: 'metadata.name',
        },
      ]);
    }
    prepareForCreate(obj, def, namespace, !!options.appliedFields);
    def.defaulting?.(obj);
    normaliseMeta(obj);
    const req: AdmissionRequest = {
      operation: 'CREATE',
      def,
      subresource: '',
      object: obj,
      dryRun: !!options.dryRun,
    };
    if (options.user) req.user = options.user;
    await this.#admit(req);
    this.#validate(def, req.object);
    if (def.namespaced) await this.#checkNamespace(namespace, req.object);
    const version = parseApiVersion(obj.apiVersion).version;
    if (options.dryRun) {
      const existing = await this.#read(def, namespace, req.object.metadata.name!);
      if (existing) throw errors.alreadyExists(target(def, req.object.metadata.name!));
      return { ...req.object, apiVersion: formatApiVersion(def.group, version) };
    }
    try {
      const kv = await this.storage.create(
        objectKey(def, namespace, req.object.metadata.name!),
        encode(req.object),
      );
      this.#committed(req);
      return decode(kv, def, version);
    } catch (err) {
      throw storageToApiError(err, def, req.object.metadata.name!);
    }
  }

  /** Replaces an object (PUT), honouring `metadata.resourceVersion` as a precondition. */
  async update(
    def: ResourceDef,
    namespace: string,
    name: string,
    body: KubeObject,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    const obj = checkBody(def, namespace, structuredClone(body));
    if (obj.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`,
      );
    }
    const version = parseApiVersion(obj.apiVersion).version;
    return this.#write(def, namespace, name, version, options, (old) => {
      if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) {
        throw errors.conflict(target(def, name));
      }
      return obj;
    });
  }

  /** Applies a patch of the given content type; an apply patch to a missing object creates it. */
  async patch(
    def: ResourceDef,
    namespace: string,
    name: string,
    contentType: string,
    patchBody: unknown,
    options: PatchOptions = {},
    version?: string,
  ): Promise<{ object: KubeObject; created: boolean }> {
    const isApply = contentType.startsWith('application/apply-patch');
    const patchOptions = {
      ...(def.patchSchema ? { schema: def.patchSchema } : {}),
      manager: options.fieldManager ?? '',
      force: !!options.force,
    };
    const existing = await this.#read(def, namespace, name);
    if (!existing) {
      if (!isApply || options.subresource) throw errors.notFound(target(def, name));
      const applied = applyPatchByContentType(contentType, undefined, patchBody, patchOptions) as KubeObject;
      if (!applied.metadata) applied.metadata = {};
      if (applied.metadata.name === undefined) applied.metadata.name = name;
      const object = await this.create(def, namespace, applied, { ...options, appliedFields: true });
      return { object, created: true };
    }
    const object = await this.#write(def, namespace, name, version, options, (old) => {
      const patched = applyPatchByContentType(contentType, old, patchBody, patchOptions) as KubeObject;
      if (!patched || typeof patched !== 'object' || !patched.metadata)
        throw errors.badRequest('the patch produced an object without metadata');
      const rv = patched.metadata.resourceVersion;
      if (rv && rv !== old.metadata.resourceVersion) throw errors.conflict(target(def, name));
      return patched;
    });
    return { object, created: false };
  }

  /**
   * Reads, transforms and writes back with retries on conflict; the transform may throw. Used by
   * update, patch and the server's own controllers.
   */
  async guaranteedUpdate(
    def: ResourceDef,
    namespace: string,
    name: string,
    transform: (old: KubeObject) => KubeObject,
    options: WriteOptions = {},
  ): Promise<KubeObject> {
    return this.#write(def, namespace, name, undefined, options, transform);
  }

  /** Deletes an object, or marks it for deletion when finalizers remain. */
  delete(
    def: ResourceDef,
    namespace: string,
    name: string,
    options: DeleteOptions = {},
  ): Promise<{ object: KubeObject; deleted: boolean }> {
    return deleteObject(this, def, namespace, name, options);
  }

  /** Runs admission for a delete (exposed for registry-delete). */
  async admitDelete(req: AdmissionRequest): Promise<void> {
    await this.#admit(req);
  }

  /** Tells plugins a write landed (exposed for registry-delete). */
  notifyCommitted(req: AdmissionRequest): void {
    this.#committed(req);
  }

  async #write(
    def: ResourceDef,
    namespace: string,
    name: string,
    version: string | undefined,
    options: WriteOptions,
    transform: (old: KubeObject) => KubeObject,
  ): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.#read(def, namespace, name);
      if (!kv) throw errors.notFound(target(def, name));
      const old = decode(kv, def);
      let obj = checkBody(def, namespace, structuredClone(transform(structuredClone(old))));
      const status = options.subresource === 'status';
      // `binding` (pods/binding) writes spec.nodeName and the PodScheduled condition together.
      if (status) obj = keepMetadataForStatus(obj, old);
      else if (def.subresources.status && options.subresource !== 'binding') obj.status = old.status;
      if (obj.status === undefined) delete obj.status;
      prepareForUpdate(obj, old, def);
      def.defaulting?.(obj);
      normaliseMeta(obj);
      const req: AdmissionRequest = {
        operation: 'UPDATE',
        def,
        subresource: options.subresource ?? '',
        object: obj,
        old,
        dryRun: !!options.dryRun,
      };
      if (options.user) req.user = options.user;
      await this.#admit(req);
      this.#validate(def, req.object, old, status);
      const next = req.object;
      const outVersion = version ?? parseApiVersion(obj.apiVersion).version;
      next.metadata.resourceVersion = old.metadata.resourceVersion!;
      if (isDeepStrictEqual(next, old)) return decode(kv, def, outVersion);
      if (options.dryRun) return { ...next, apiVersion: formatApiVersion(def.group, outVersion) };
      try {
        if (
          next.metadata.deletionTimestamp &&
          !next.metadata.finalizers?.length &&
          !hasSpecFinalizers(next)
        ) {
          const gone = await this.storage.delete(kv.key, kv.modRevision);
          this.#committed({ ...req, operation: 'DELETE' });
          return decode({ ...gone, value: encode(next) }, def, outVersion);
        }
        const written = await this.storage.update(kv.key, encode(next), kv.modRevision);
        this.#committed(req);
        return decode(written, def, outVersion);
      } catch (err) {
        // A concurrent write: re-read and re-run the transform, which re-checks any precondition.
        if (isStorageError(err, 'Conflict') && attempt < MAX_CONFLICT_RETRIES) continue;
        throw storageToApiError(err, def, name);
      }
    }
  }

  async #read(def: ResourceDef, namespace: string, name: string): Promise<KeyValue | undefined> {
    try {
      return await this.storage.get(objectKey(def, namespace, name));
    } catch (err) {
      throw storageToApiError(err, def, name);
    }
  }

  async #admit(req: AdmissionRequest): Promise<void> {
    for (const plugin of this.#admission) await plugin.admit(req);
  }

  #committed(req: AdmissionRequest): void {
    for (const plugin of this.#admission) {
      try {
        plugin.committed?.(req);
      } catch (err) {
        this.logger?.warn({ err, plugin: plugin.name }, 'admission plugin failed after commit');
      }
    }
  }

  #validate(def: ResourceDef, obj: KubeObject, old?: KubeObject, status = false): void {
    const ctx = old ? { old, status } : { status };
    const causes = [...validateObjectMeta(obj, def, ctx), ...(def.validate?.(obj, ctx) ?? [])];
    if (causes.length > 0) throw errors.invalid(def.kind, def.group, obj.metadata.name ?? '', causes);
  }

  async #checkNamespace(namespace: string, obj: KubeObject): Promise<void> {
    const kv = await this.#read(this.#namespaceDef, '', namespace);
    if (!kv) throw errors.notFound({ group: '', resource: 'namespaces', name: namespace });
    const ns = decode(kv, this.#namespaceDef);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `${obj.kind.toLowerCase()}s "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }
}

/** `Status.details` target for a kind and name. */
export function target(def: ResourceDef, name: string): { group: string; resource: string; name: string } {
  return { group: def.group, resource: def.plural, name };
}

function hasSpecFinalizers(obj: KubeObject): boolean {
  return obj.kind === 'Namespace' && Array.isArray(obj.spec?.finalizers) && obj.spec.finalizers.length > 0;
}

/** Checks the body names this kind and fits the URL's namespace; fills what is missing. */
function checkBody(def: ResourceDef, namespace: string, obj: KubeObject): KubeObject {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw errors.badRequest('the body of the request was not a JSON object');
  if (obj.kind === undefined || obj.kind === '') obj.kind = def.kind;
  if (obj.apiVersion === undefined || obj.apiVersion === '')
    obj.apiVersion = formatApiVersion(def.group, def.versions[0]!);
  if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string')
    throw errors.badRequest('kind and apiVersion must be strings');
  const { group, version } = parseApiVersion(obj.apiVersion);
  if (obj.kind !== def.kind || group !== def.group || !def.versions.includes(version)) {
    throw errors.badRequest(
      `the API version in the data (${obj.apiVersion}) and kind (${obj.kind}) do not match the expected ${formatApiVersion(def.group, def.versions[0]!)} ${def.kind}`,
    );
  }
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))
    throw errors.badRequest('metadata must be an object');
  if (def.namespaced) {
    if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
  }
  return obj;
}

export { kindPrefix };
