/**
 * Manifests as `kubectl apply --server-side` handles them, for `--demo` and `flotilla plan`:
 * multi-document YAML parsed into plain objects (Lists flattened, empty documents dropped), and
 * applied one by one through discovery and server-side apply, so re-applying is idempotent.
 */
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { Discovery } from '../client/discovery.ts';

/** Thrown for YAML that is not a list of Kubernetes objects; the message names the document. */
export class ManifestError extends Error {
  readonly code = 'BadManifest';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Parses multi-document YAML into objects; `source` names the file in errors. Throws
 * `ManifestError` for syntax errors and documents without `apiVersion`, `kind` or a name.
 */
export function parseManifests(text: string, source = 'input'): KubeObject[] {
  const out: KubeObject[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      throw new ManifestError(`${source}: document ${i + 1}: ${doc.errors[0]?.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJSON();
    if (value === null || value === undefined) return;
    const items =
      isObject(value) &&
      typeof value.kind === 'string' &&
      value.kind.endsWith('List') &&
      Array.isArray(value.items)
        ? (value.items as unknown[])
        : [value];
    for (const item of items) {
      if (!isObject(item) || typeof item.apiVersion !== 'string' || typeof item.kind !== 'string') {
        throw new ManifestError(
          `${source}: document ${i + 1} is not a Kubernetes object (apiVersion and kind)`,
        );
      }
      const meta = isObject(item.metadata) ? item.metadata : {};
      if (typeof meta.name !== 'string' || meta.name === '') {
        throw new ManifestError(`${source}: ${item.kind} in document ${i + 1} has no metadata.name`);
      }
      out.push({ ...item, metadata: meta } as unknown as KubeObject);
    }
  });
  return out;
}

/** Options for {@link applyManifests}. */
export interface ApplyManifestsOptions {
  client: Client;
  objects: readonly KubeObject[];
  /** Server-side apply field manager; default `flotilla`. */
  fieldManager?: string;
  /** Namespace for namespaced objects without one; default `default`. */
  namespace?: string;
}

/**
 * Server-side applies every object (forcing conflicts, as the demo owns these fields), in order;
 * resolves with `kind/name` per object. Throws the first API error, naming the object.
 */
export async function applyManifests(options: ApplyManifestsOptions): Promise<string[]> {
  const discovery = new Discovery({ client: options.client });
  const done: string[] = [];
  for (const obj of options.objects) {
    const ref = await discovery.resolve({ apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' });
    const namespace = ref.namespaced ? (obj.metadata.namespace ?? options.namespace ?? 'default') : undefined;
    const what = `${(obj.kind ?? '').toLowerCase()}/${obj.metadata.name}`;
    try {
      await options.client.apply(ref, obj, {
        fieldManager: options.fieldManager ?? 'flotilla',
        force: true,
        ...(namespace !== undefined ? { namespace } : {}),
      });
    } catch (err) {
      throw new Error(`applying ${what} failed`, { cause: err });
    }
    done.push(what);
  }
  return done;
}
