/**
 * Kubernetes resource quantities (`500m`, `2Gi`, `1e3`) as numbers: the one parser shared by the
 * pod scheduler, Karmada's replica interpreter and the Karmada scheduler's estimator.
 */

const SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/;

/** A quantity as a number; undefined when malformed. Numbers pass through. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (!Number.isFinite(base)) return undefined;
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * (SUFFIXES[m[3] ?? ''] ?? 1);
}

/** `Quantity.Value()`: rounded up to an integer. */
export function quantityValue(q: unknown): number {
  const v = parseQuantity(q) ?? 0;
  return Math.ceil(v - 1e-9);
}

/** `Quantity.MilliValue()`: thousandths, rounded up. */
export function quantityMilli(q: unknown): number {
  const v = parseQuantity(q) ?? 0;
  return Math.ceil(v * 1000 - 1e-6);
}
