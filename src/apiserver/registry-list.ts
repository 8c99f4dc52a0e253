/**
 * Listing: reads a kind's keys from storage at one revision, filters by label and field selectors,
 * and pages with `limit`/`continue` (the continue token pins the revision of the first page, as
 * Kubernetes does, so pages form one consistent snapshot).
 */
import { errors } from '../api/errors.ts';
import { formatApiVersion, type KubeList, type KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resource-def.ts';
import type { Storage } from '../storage/types.ts';
import { decode, kindPrefix } from './keys.ts';
import { compileFieldSelector, compileLabelSelector, type ObjectFilter } from './selectors.ts';
import { storageToApiError } from './storage-errors.ts';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

interface ContinueToken {
  rv: number;
  start: string;
}

const CHUNK = 500;

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(raw: string, prefix: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString()) as ContinueToken;
    if (typeof t.rv === 'number' && typeof t.start === 'string' && t.start.startsWith(prefix)) return t;
  } catch {
    // fall through
  }
  throw errors.badRequest('invalid continue token');
}

/** Builds the filter for a list or watch request; throws 400 for malformed selectors. */
export function compileFilter(
  def: ResourceDef,
  options: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>,
): ObjectFilter {
  const labels = compileLabelSelector(options.labelSelector);
  const fields = compileFieldSelector(def, options.fieldSelector);
  if (!labels && !fields) return () => true;
  return (obj: KubeObject) => (!labels || labels(obj)) && (!fields || fields(obj));
}

/** Lists one kind (in one namespace, or all when `namespace` is empty). */
export async function listObjects(
  storage: Storage,
  def: ResourceDef,
  namespace: string,
  options: ListOptions,
  version?: string,
): Promise<KubeList> {
  const prefix = kindPrefix(def, def.namespaced ? namespace : '');
  const filter = compileFilter(def, options);
  const limit = options.limit && options.limit > 0 ? options.limit : 0;
  let revision = 0;
  let start: string | undefined;
  if (options.continue) {
    const token = decodeContinue(options.continue, prefix);
    revision = token.rv;
    start = token.start;
  } else if (options.resourceVersionMatch === 'Exact' && options.resourceVersion) {
    revision = Number(options.resourceVersion);
    if (!Number.isInteger(revision) || revision < 0)
      throw errors.badRequest(`invalid resourceVersion "${options.resourceVersion}"`);
  }
  const items: KubeObject[] = [];
  let nextStart: string | undefined;
  try {
    for (;;) {
      const page = await storage.list(prefix, {
        ...(revision ? { revision } : {}),
        ...(start ? { startKey: start } : {}),
        limit: limit ? Math.max(CHUNK, limit - items.length + 1) : 0,
      });
      revision = page.revision;
      let i = 0;
      for (; i < page.items.length; i++) {
        const kv = page.items[i]!;
        if (limit && items.length === limit) break;
        const obj = decode(kv, def, version);
        if (filter(obj)) items.push(obj);
      }
      if (limit && items.length === limit) {
        if (i < page.items.length) nextStart = page.items[i]!.key;
        else if (page.more) nextStart = `${page.items[page.items.length - 1]!.key}\u0000`;
        break;
      }
      if (!page.more || page.items.length === 0) break;
      start = `${page.items[page.items.length - 1]!.key}\u0000`;
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'Compacted' && options.continue) {
      throw errors.expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    }
    throw storageToApiError(err, def, '');
  }
  const list: KubeList = {
    apiVersion: formatApiVersion(def.group, version ?? def.versions[0]!),
    kind: def.listKind,
    metadata: { resourceVersion: String(revision) },
    items,
  };
  if (nextStart) list.metadata.continue = encodeContinue({ rv: revision, start: nextStart });
  return list;
}
