/**
 * Kubernetes resource quantities (`500m`, `1.5`, `128Mi`, `1G`, `1e3`) parsed to numbers in base
 * units (cores, bytes, counts), and a pod's effective requests as the scheduler sums them:
 * containers added up, each init container as a floor, plus pod overhead.
 */
import type { KubeObject } from '../../api/meta.ts';

const SUFFIX: Record<string, number> = {
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

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** Parses a quantity (string or number) into base units; throws on a malformed one. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = QUANTITY.exec(q.trim());
  if (!m)
    throw new Error(
      `quantities must match the regular expression '${QUANTITY.source}': ${JSON.stringify(q)}`,
    );
  const exp = m[2] ? 10 ** Number(m[2]) : 1;
  return Number(m[1]) * exp * (SUFFIX[m[3] ?? ''] ?? 1);
}

/** Parses, treating absent or malformed quantities as 0. */
export function quantityOr0(q: unknown): number {
  if (typeof q !== 'string' && typeof q !== 'number') return 0;
  try {
    return parseQuantity(q);
  } catch {
    return 0;
  }
}

/** Requested amounts the scheduler accounts for. */
export interface Requests {
  cpu: number;
  memory: number;
  /** Other extended resources by name. */
  [resource: string]: number;
}

function containerRequests(c: KubeObject): Record<string, number> {
  const out: Record<string, number> = {};
  const limits = c.resources?.limits ?? {};
  const requests = { ...limits, ...(c.resources?.requests ?? {}) };
  for (const [k, v] of Object.entries(requests)) out[k] = quantityOr0(v);
  return out;
}

/** A pod's effective requests: max(sum of containers, each init container) plus overhead. */
export function podRequests(pod: KubeObject): Requests {
  const total: Requests = { cpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries(containerRequests(c))) total[k] = (total[k] ?? 0) + v;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(containerRequests(c))) total[k] = Math.max(total[k] ?? 0, v);
  }
  for (const [k, v] of Object.entries(pod.spec?.overhead ?? {})) total[k] = (total[k] ?? 0) + quantityOr0(v);
  return total;
}
