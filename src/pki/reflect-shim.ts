/**
 * The three `Reflect` metadata functions that `@peculiar/x509`'s dependency tsyringe calls at load
 * time. No Reflect polyfill is a dependency of this package, so this module provides a minimal one
 * (own and inherited lookup on a WeakMap); it installs nothing if a polyfill is already present.
 * Import it before `@peculiar/x509`.
 */

type MetadataStore = WeakMap<object, Map<string | symbol | undefined, Map<unknown, unknown>>>;

interface ReflectWithMetadata {
  defineMetadata?: (key: unknown, value: unknown, target: object, property?: string | symbol) => void;
  getOwnMetadata?: (key: unknown, target: object, property?: string | symbol) => unknown;
  getMetadata?: (key: unknown, target: object, property?: string | symbol) => unknown;
}

const reflect = Reflect as unknown as ReflectWithMetadata;

if (typeof reflect.getMetadata !== 'function') {
  const store: MetadataStore = new WeakMap();
  const table = (target: object, property: string | symbol | undefined, create: boolean) => {
    let byProperty = store.get(target);
    if (!byProperty) {
      if (!create) return undefined;
      byProperty = new Map();
      store.set(target, byProperty);
    }
    let entries = byProperty.get(property);
    if (!entries && create) {
      entries = new Map();
      byProperty.set(property, entries);
    }
    return entries;
  };
  reflect.defineMetadata = (key, value, target, property) => {
    table(target, property, true)?.set(key, value);
  };
  reflect.getOwnMetadata = (key, target, property) => table(target, property, false)?.get(key);
  reflect.getMetadata = (key, target, property) => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const entries = table(t, property, false);
      if (entries?.has(key)) return entries.get(key);
    }
    return undefined;
  };
}

/** True once `Reflect.getMetadata` exists (from this shim or a polyfill loaded earlier). */
export const reflectMetadataReady: boolean = typeof reflect.getMetadata === 'function';
