/**
 * PatchSchema: what strategic merge patch needs to know about a kind's fields, i.e. the
 * `patchStrategy` / `patchMergeKey` tags of the Go types. A tree that mirrors the object:
 * `fields` for object members, `items` for the element of a list. Lists without a schema
 * entry are replaced wholesale, as for any atomic list.
 */
export interface PatchSchema {
  /** Members of an object. */
  fields?: Record<string, PatchSchema>;
  /** Schema of every value of a map (`map[string]T`), for maps of objects. */
  values?: PatchSchema;
  /** For a list: the schema of its elements. */
  items?: PatchSchema;
  /** For a list of objects merged by key, e.g. `name` for containers, `containerPort` for ports. */
  mergeKey?: string;
  /**
   * `merge`: merge list elements by `mergeKey` (objects) or as a set (primitives, e.g. finalizers).
   * `retainKeys`: clear fields not named in the patch (Deployment `strategy`, volume sources).
   * `replace`: the default for lists without a strategy.
   */
  strategy?: 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';
}
