/**
 * Small helpers over plain JSON values shared by the patch implementations: type tests, deep
 * copy and structural equality (object key order ignored, as JSON requires).
 */
import type { Json, JsonObject } from '../../api/meta.ts';

/** Whether `v` is a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy of a JSON value; `undefined` stays `undefined`. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

/** Structural equality of two JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Go's name for a JSON value's dynamic type, for error messages that mirror apimachinery's. */
export function goKind(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** Go's JSON-unmarshal type word for a value (`object`, `array`, `string`, `number`, `bool`). */
export function jsonKind(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

export type { Json, JsonObject };
