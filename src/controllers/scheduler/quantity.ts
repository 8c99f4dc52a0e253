/**
 * Kubernetes resource quantities (`500m`, `1.5`, `128Mi`, `1G`, `1e3`) parsed to numbers in base
 * units (cores, bytes, counts), and a pod's effective requests as the scheduler sums them:
 * containers added up, each init container as a floor, plus pod overhead.
 */

import type { KubeObject } from '../../api/meta.ts';
import { parseQuantity as parseShared } from '../../api/quantity.ts';

/** Parses a quantity (string or number) into base units; throws on a malformed one. */
export function parseQuantity(q: string | number): number {
  const v = parseShared(q);
  if (v === undefined)
    throw new Error(`quantities must look like 500m, 128Mi, 2 or 1e3: ${JSON.stringify(q)}`);
  return v;
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
