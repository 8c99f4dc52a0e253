/**
 * RFC 6902 JSON patch (`application/json-patch+json`), applied to a copy of the live object.
 * Errors follow kube-apiserver: a body that does not decode as a list of operations is
 * 400 BadRequest; more than 10,000 operations is 413; an operation that does not apply (failed
 * `test`, missing path, bad index, unknown op) is 422 Invalid with the server's generic message,
 * the specific reason kept as the error's `cause` and in `details.causes`.
 */
import { ApiError, errors } from '../../api/errors.ts';
import type { Json } from '../../api/meta.ts';
import { clone, isObject, jsonEqual, jsonKind } from './json-value.ts';

/** The most operations kube-apiserver accepts in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** The message kube-apiserver returns for any JSON patch operation that does not apply. */
export const JSON_PATCH_REJECTED = 'the server rejected our request due to an error in our request';

class OpError extends Error {}

function opError(message: string): never {
  throw new OpError(message);
}

/** Splits an RFC 6901 pointer into unescaped tokens; `""` is the whole document. */
export function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') opError(`path must be a string, got ${jsonKind(pointer)}`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    opError(`invalid JSON pointer ${JSON.stringify(pointer)}: must start with '/'`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, forInsert: boolean, path: string): number {
  if (forInsert && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) opError(`invalid array index ${JSON.stringify(token)} in ${path}`);
  const i = Number(token);
  if (forInsert ? i > length : i >= length) opError(`array index ${i} out of bounds in ${path}`);
  return i;
}

/** Resolves all but the last token; the container must exist. */
function parentOf(doc: Json, tokens: string[], path: string, op: string): Json {
  let node = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(t, node.length, false, path)] as Json;
    else if (isObject(node) && Object.hasOwn(node, t)) node = node[t] as Json;
    else opError(`${op} operation does not apply: doc is missing path: ${path}`);
  }
  if (!Array.isArray(node) && !isObject(node))
    opError(`${op} operation does not apply: doc is missing path: ${path}`);
  return node;
}

function getAt(doc: Json, path: string, op: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens, path, op);
  const last = tokens.at(-1) ?? '';
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, path)] as Json;
  if (isObject(parent) && Object.hasOwn(parent, last)) return parent[last] as Json;
  return opError(`${op} operation does not apply: doc is missing key: ${path}`);
}

function addAt(doc: Json, path: string, value: Json, op: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, path, op);
  const last = tokens.at(-1) ?? '';
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, path), 0, value);
  else if (isObject(parent)) parent[last] = value;
  return doc;
}

function removeAt(doc: Json, path: string, op: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) opError(`${op} operation does not apply: cannot remove the whole document`);
  const parent = parentOf(doc, tokens, path, op);
  const last = tokens.at(-1) ?? '';
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, path), 1);
  else if (isObject(parent)) {
    if (!Object.hasOwn(parent, last)) opError(`${op} operation does not apply: doc is missing key: ${path}`);
    delete parent[last];
  }
  return doc;
}

function field(op: Record<string, unknown>, name: string): Json {
  if (!Object.hasOwn(op, name)) opError(`${String(op.op)} operation is missing "${name}"`);
  return op[name] as Json;
}

function applyOne(doc: Json, op: Record<string, unknown>): Json {
  const path = op.path;
  if (path === undefined) opError('operation missing path');
  if (typeof path !== 'string') opError(`path must be a string, got ${jsonKind(path)}`);
  switch (op.op) {
    case 'add':
      return addAt(doc, path, clone(field(op, 'value')), 'add');
    case 'remove':
      return removeAt(doc, path, 'remove');
    case 'replace': {
      const value = clone(field(op, 'value'));
      if (path === '') return value;
      getAt(doc, path, 'replace');
      return addAt(removeAt(doc, path, 'replace'), path, value, 'replace');
    }
    case 'move': {
      const from = field(op, 'from');
      if (typeof from !== 'string') opError(`from must be a string, got ${jsonKind(from)}`);
      if (path.startsWith(`${from}/`))
        opError(`move operation does not apply: ${path} is a child of ${from}`);
      const value = getAt(doc, from, 'move');
      return addAt(removeAt(doc, from, 'move'), path, value, 'move');
    }
    case 'copy': {
      const from = field(op, 'from');
      if (typeof from !== 'string') opError(`from must be a string, got ${jsonKind(from)}`);
      return addAt(doc, path, clone(getAt(doc, from, 'copy')), 'copy');
    }
    case 'test': {
      const want = field(op, 'value');
      let have: Json | undefined;
      try {
        have = getAt(doc, path, 'test');
      } catch {
        have = undefined;
      }
      if (!jsonEqual(have, want)) opError(`testing value ${path} failed: test failed`);
      return doc;
    }
    default:
      return opError(`Unexpected kind: ${String(op.op)}`);
  }
}

/**
 * Applies an RFC 6902 patch (already JSON-parsed) to a copy of `doc` and returns the result; `doc`
 * is not modified. Throws ApiError 400/413/422 as kube-apiserver does (see the module comment).
 */
export function applyJsonPatch<T = Json>(doc: T, patch: unknown): T {
  if (!Array.isArray(patch)) {
    throw errors.badRequest(
      `json: cannot unmarshal ${jsonKind(patch)} into Go value of type jsonpatch.Patch`,
    );
  }
  for (const op of patch) {
    if (!isObject(op)) {
      throw errors.badRequest(
        `json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`,
      );
    }
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw errors.tooLarge(
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`,
    );
  }
  let out = clone(doc) as Json;
  try {
    for (const op of patch as Record<string, unknown>[]) out = applyOne(out, op);
  } catch (err) {
    if (!(err instanceof OpError)) throw err;
    throw new ApiError(422, 'Invalid', JSON_PATCH_REJECTED, {
      cause: err,
      details: { causes: [{ reason: 'FieldValueInvalid', message: err.message, field: 'patch' }] },
    });
  }
  return out as T;
}
