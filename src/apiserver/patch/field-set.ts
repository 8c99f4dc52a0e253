/**
 * Field sets for server-side apply: which fields a manager owns, as paths of structured-merge-diff
 * path elements (`f:<field>`, `k:{"<mergeKey>":<value>}`, `v:<json>`), with the `fieldsV1`
 * encoding kube-apiserver stores in `metadata.managedFields` and the `.spec.replicas` rendering it
 * uses in conflict messages.
 */
import type { Json, JsonObject } from '../../api/meta.ts';
import type { PatchSchema } from '../../api/patch-schema.ts';
import { isObject } from './json-value.ts';

/** One path element: `f:name`, `k:{"name":"x"}`, `v:"x"` or `i:0`. */
export type PathElement = string;
/** A field path from the object root. */
export type FieldPath = PathElement[];

/** Metadata fields the server sets; never tracked as owned, as kube-apiserver strips them. */
const SERVER_FIELDS = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** A set of field paths, keyed by their JSON encoding. */
export class FieldSet {
  readonly #paths = new Map<string, FieldPath>();

  /** Adds a path. */
  add(path: FieldPath): void {
    this.#paths.set(JSON.stringify(path), path);
  }

  /** Whether the set holds exactly this path. */
  has(path: FieldPath): boolean {
    return this.#paths.has(JSON.stringify(path));
  }

  /** Removes a path. */
  delete(path: FieldPath): void {
    this.#paths.delete(JSON.stringify(path));
  }

  /** Every path, in insertion order. */
  paths(): FieldPath[] {
    return [...this.#paths.values()];
  }

  /** Number of paths. */
  get size(): number {
    return this.#paths.size;
  }
}

/** Whether a list field is associative (merged by key) under `schema`. */
export function listMergeKey(schema: PatchSchema | undefined): string | undefined {
  const merges = schema?.strategy === 'merge' || schema?.strategy === 'merge,retainKeys';
  return merges ? schema?.mergeKey : undefined;
}

/** Whether a list field is a set of scalars under `schema`. */
export function isSetList(schema: PatchSchema | undefined): boolean {
  return (
    (schema?.strategy === 'merge' || schema?.strategy === 'merge,retainKeys') &&
    schema?.mergeKey === undefined
  );
}

/** The schema of an object member. */
export function memberSchema(schema: PatchSchema | undefined, key: string): PatchSchema | undefined {
  return schema?.fields?.[key] ?? schema?.values;
}

/** The path element naming a keyed list element. */
export function keyElement(mergeKey: string, value: Json | undefined): PathElement {
  return `k:${JSON.stringify({ [mergeKey]: value ?? null })}`;
}

function collect(value: Json, schema: PatchSchema | undefined, path: FieldPath, out: FieldSet): void {
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== null);
    if (keys.length === 0 && path.length > 0) out.add(path);
    for (const k of keys) collect(value[k] as Json, memberSchema(schema, k), [...path, `f:${k}`], out);
    return;
  }
  if (Array.isArray(value)) {
    const mergeKey = listMergeKey(schema);
    if (mergeKey !== undefined && value.every(isObject)) {
      for (const el of value as JsonObject[]) {
        const at = [...path, keyElement(mergeKey, el[mergeKey])];
        out.add(at);
        collect(el, schema?.items, at, out);
      }
      return;
    }
    if (isSetList(schema) && value.every((v) => !isObject(v) && !Array.isArray(v))) {
      for (const v of value) out.add([...path, `v:${JSON.stringify(v)}`]);
      return;
    }
  }
  out.add(path);
}

/** The fields an applied configuration sets, minus `apiVersion`, `kind` and server-set metadata. */
export function fieldsOf(obj: JsonObject, schema: PatchSchema | undefined): FieldSet {
  const out = new FieldSet();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || v === null) continue;
    if (k === 'metadata' && isObject(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (SERVER_FIELDS.has(mk) || mv === null) continue;
        collect(mv, memberSchema(memberSchema(schema, 'metadata'), mk), ['f:metadata', `f:${mk}`], out);
      }
      continue;
    }
    collect(v, memberSchema(schema, k), [`f:${k}`], out);
  }
  return out;
}

/** Encodes a field set as `fieldsV1`: nested objects keyed by path element, `.` marking a member with children. */
export function toFieldsV1(set: FieldSet): JsonObject {
  interface Node {
    member: boolean;
    children: Map<string, Node>;
  }
  const root: Node = { member: false, children: new Map() };
  for (const path of set.paths()) {
    let node = root;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (next === undefined) {
        next = { member: false, children: new Map() };
        node.children.set(pe, next);
      }
      node = next;
    }
    node.member = true;
  }
  const encode = (node: Node): JsonObject => {
    const out: JsonObject = {};
    if (node.member && node.children.size > 0) out['.'] = {};
    for (const pe of [...node.children.keys()].sort()) out[pe] = encode(node.children.get(pe) as Node);
    return out;
  };
  return encode(root);
}

/** Decodes `fieldsV1` into a field set; tolerates malformed input by skipping non-object nodes. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const out = new FieldSet();
  const walk = (node: JsonObject, path: FieldPath): void => {
    for (const [pe, child] of Object.entries(node)) {
      if (pe === '.') {
        if (path.length > 0) out.add(path);
        continue;
      }
      if (!isObject(child)) continue;
      if (Object.keys(child).length === 0) out.add([...path, pe]);
      else walk(child, [...path, pe]);
    }
  };
  if (isObject(fields)) walk(fields, []);
  return out;
}

/** Renders a path as kube-apiserver does in conflict messages: `.spec.containers[name="x"].image`. */
export function formatPath(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      if (pe.startsWith('f:')) return `.${body}`;
      if (pe.startsWith('v:')) return `[=${body}]`;
      if (pe.startsWith('i:')) return `[${body}]`;
      const key = JSON.parse(body) as JsonObject;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/** The value at `path` in `obj`, or undefined when any step is missing. */
export function valueAt(obj: Json | undefined, path: FieldPath): Json | undefined {
  let node: Json | undefined = obj;
  for (const pe of path) {
    const body = pe.slice(2);
    if (pe.startsWith('f:')) node = isObject(node) ? node[body] : undefined;
    else if (!Array.isArray(node)) return undefined;
    else if (pe.startsWith('i:')) node = node[Number(body)];
    else if (pe.startsWith('v:')) {
      const v = JSON.parse(body) as Json;
      node = node.includes(v) ? v : undefined;
    } else {
      const [[k, v]] = Object.entries(JSON.parse(body) as JsonObject) as [[string, Json]];
      node = node.find((el) => isObject(el) && el[k] === v);
    }
    if (node === undefined) return undefined;
  }
  return node;
}
