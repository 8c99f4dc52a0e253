/**
 * What a NoExecute taint means for one binding (Karmada's taint manager `needEviction`, with
 * Kubernetes' `GetMatchingTolerations` / `GetMinTolerationTime`): the tolerations come from the
 * binding's `policy.karmada.io/applied-placement` annotation — the placement the scheduler last
 * acted on — and `tolerationSeconds` counts from each taint's `timeAdded`.
 */
import { ANNOTATIONS } from '../../api/karmada/names.ts';
import type { Placement, ResourceBinding, Taint, Toleration } from '../../api/karmada/types.ts';
import { toleratesTaint } from '../../scheduler/plugins/taint-toleration/index.ts';

/** Evict now, after `afterMs`, or never (every NoExecute taint tolerated without a time limit). */
export type EvictionDecision =
  | { kind: 'evict'; taint: Taint }
  | { kind: 'later'; afterMs: number }
  | { kind: 'tolerated' };

/** The binding's applied placement, or undefined when the scheduler has not recorded one. */
export function appliedPlacement(binding: ResourceBinding): Placement | undefined {
  const raw = binding.metadata.annotations?.[ANNOTATIONS.appliedPlacement];
  if (raw === undefined) return undefined;
  try {
    const p = JSON.parse(raw) as unknown;
    return p && typeof p === 'object' ? (p as Placement) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The decision for NoExecute `taints` against `tolerations` at `now` (ms). Every taint must be
 * tolerated, else evict at once; the earliest expiry of a tolerationSeconds among the used
 * tolerations decides a later eviction (0 or less: now); none: tolerated forever.
 */
export function evictionDecision(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  now: number,
): EvictionDecision {
  let earliest: number | undefined;
  let expiring: Taint | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const used = tolerations.find((t) => toleratesTaint(t, taint));
    if (!used) return { kind: 'evict', taint };
    if (used.tolerationSeconds === undefined || used.tolerationSeconds === null) continue;
    const added = Date.parse(taint.timeAdded ?? '');
    const since = Number.isNaN(added) ? now : added;
    const left = since + Math.max(0, used.tolerationSeconds) * 1000 - now;
    if (earliest === undefined || left < earliest) {
      earliest = left;
      expiring = taint;
    }
  }
  if (earliest === undefined || expiring === undefined) return { kind: 'tolerated' };
  if (earliest <= 0) return { kind: 'evict', taint: expiring };
  return { kind: 'later', afterMs: earliest };
}

/**
 * A token bucket holding one token, refilled at `perSecond` (Karmada's `--resource-eviction-rate`,
 * default 0.5/s; 0 means one eviction per 30 minutes). `take` spends the token or says how long
 * until the next one.
 */
export class EvictionRateLimiter {
  readonly #intervalMs: number;
  #nextAt = Number.NEGATIVE_INFINITY;

  constructor(perSecond: number) {
    this.#intervalMs = perSecond > 0 ? 1000 / perSecond : 30 * 60 * 1000;
  }

  /** 0 when an eviction may happen now (the token is spent), else the milliseconds to wait. */
  take(now: number): number {
    if (now >= this.#nextAt) {
      this.#nextAt = now + this.#intervalMs;
      return 0;
    }
    return Math.ceil(this.#nextAt - now);
  }
}
