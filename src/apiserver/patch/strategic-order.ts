/**
 * Element ordering for strategic merge patch lists, as apimachinery's `normalizeElementOrder`
 * defines it: items named by the patch keep the patch's (or `$setElementOrder`'s) order,
 * server-only items keep the live order, and the two are interleaved by their live positions.
 */
import type { Json } from '../../api/meta.ts';
import { isObject } from './json-value.ts';

/** Identity of a list element: its merge-key value for maps, the value itself for scalars. */
export function identity(item: Json | undefined, mergeKey: string | undefined): Json | undefined {
  if (mergeKey === undefined) return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

/** Position of `item` in `list` by identity, or -1. */
export function indexOf(list: readonly Json[], item: Json | undefined, mergeKey: string | undefined): number {
  const id = identity(item, mergeKey);
  return list.findIndex((x) => identity(x, mergeKey) === id);
}

/** Splits `items` into those whose identity appears in `by` and those that do not. */
export function partition(
  items: readonly Json[],
  by: readonly Json[],
  mergeKey: string | undefined,
): [Json[], Json[]] {
  const named: Json[] = [];
  const others: Json[] = [];
  for (const item of items) (indexOf(by, item, mergeKey) >= 0 ? named : others).push(item);
  return [named, others];
}

function sortBy(items: Json[], order: readonly Json[], mergeKey: string | undefined): Json[] {
  const rank = (x: Json): number => {
    const i = indexOf(order, x, mergeKey);
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r - b.r))
    .map((x) => x.item);
}

/**
 * Orders `patchItems` by `patchOrder` and `serverOnly` by `serverOrder`, then inserts each
 * server-only item before the first patch item that follows it in the live list.
 */
export function normalizeOrder(
  patchItems: Json[],
  serverOnly: Json[],
  patchOrder: readonly Json[],
  serverOrder: readonly Json[],
  mergeKey: string | undefined,
): Json[] {
  const right = sortBy(patchItems, patchOrder, mergeKey);
  const left = sortBy(serverOnly, serverOrder, mergeKey);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const l = left[i];
    const r = right[j];
    if (r === undefined) {
      out.push(l as Json);
      i++;
    } else if (l === undefined) {
      out.push(r);
      j++;
    } else {
      const li = indexOf(serverOrder, l, mergeKey);
      const ri = indexOf(serverOrder, r, mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push(l);
        i++;
      } else {
        out.push(r);
        j++;
      }
    }
  }
  return out;
}
