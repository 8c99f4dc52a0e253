/**
 * The `pod-template-hash`: a stable FNV-32a hash of a pod template (canonical JSON, keys
 * sorted) and the Deployment's collisionCount, rendered as Kubernetes renders it — the decimal
 * hash mapped through `rand.SafeEncodeString`'s alphabet of consonants and digits that never
 * spells words (`5d59d67564`).
 */
import { isDeepStrictEqual } from 'node:util';

/** The label, selector key and RS-name suffix Deployments add to their ReplicaSets. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Maps each character through the safe alphabet, as `rand.SafeEncodeString`. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** The pod-template-hash of `template` (its own hash label ignored) with `collisionCount` mixed in. */
export function computeHash(template: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32a(enc.encode(canonicalJson(stripHash(template))));
  if (collisionCount !== undefined && collisionCount > 0) {
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(buf, h);
  }
  return safeEncode(String(h));
}

/** A copy of a pod template without the pod-template-hash label (and without empty labels). */
export function stripHash(template: unknown): unknown {
  if (template === null || typeof template !== 'object') return template;
  const t = structuredClone(template) as { metadata?: { labels?: Record<string, string> } };
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

/** Whether two pod templates are equal once their hash labels are ignored (`EqualIgnoreHash`). */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(stripHash(a ?? {}), stripHash(b ?? {}));
}
