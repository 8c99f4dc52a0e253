/**
 * Karmada's selector semantics (K:pkg/util/selector.go): which resource selector matches a
 * template and how specifically (the implicit priority), and whether a cluster satisfies a
 * `ClusterAffinity`. Shared by the detector (policy matching) and the override engine.
 */

import type { Cluster, ClusterAffinity, ResourceSelector } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { matchesLabelSelector } from '../api/selectors/index.ts';

/** Implicit priority of a selector match: name (3) > labelSelector (2) > all (1) > mismatch (0). */
export const IMPLICIT_PRIORITY = { mismatch: 0, matchAll: 1, matchLabelSelector: 2, matchName: 3 } as const;

/** One of {@link IMPLICIT_PRIORITY}'s values. */
export type ImplicitPriority = (typeof IMPLICIT_PRIORITY)[keyof typeof IMPLICIT_PRIORITY];

type Template = Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;

function safeLabelMatch(
  selector: ResourceSelector['labelSelector'],
  labels: Record<string, string> | undefined,
) {
  try {
    return matchesLabelSelector(selector, labels);
  } catch {
    return false; // an invalid selector matches nothing, as LabelSelectorAsSelector's error does
  }
}

/**
 * How specifically `selector` matches `resource`: mismatch when apiVersion or kind differ or a
 * non-empty namespace differs; then name (labelSelector ignored), else labelSelector, else all.
 */
export function selectorPriority(resource: Template, selector: ResourceSelector): ImplicitPriority {
  if (resource.apiVersion !== selector.apiVersion || resource.kind !== selector.kind) return 0;
  if (selector.namespace && (resource.metadata.namespace ?? '') !== selector.namespace) return 0;
  if (selector.name) return selector.name === resource.metadata.name ? 3 : 0;
  if (selector.labelSelector === undefined || selector.labelSelector === null) return 1;
  return safeLabelMatch(selector.labelSelector, resource.metadata.labels) ? 2 : 0;
}

/** The best {@link selectorPriority} over `selectors` (0 for none). */
export function selectorsPriority(
  resource: Template,
  selectors: readonly ResourceSelector[] | undefined,
): ImplicitPriority {
  let best: ImplicitPriority = 0;
  for (const s of selectors ?? []) {
    const p = selectorPriority(resource, s);
    if (p > best) best = p;
  }
  return best;
}

function matchZones(operator: string, values: readonly string[], zones: readonly string[]): boolean {
  switch (operator) {
    case 'In':
      return zones.some((z) => values.includes(z));
    case 'NotIn':
      return !zones.some((z) => values.includes(z));
    case 'Exists':
      return zones.length > 0;
    case 'DoesNotExist':
      return zones.length === 0;
    default:
      return false;
  }
}

function matchField(operator: string, values: readonly string[], field: string | undefined): boolean {
  switch (operator) {
    case 'In':
      return field !== undefined && values.includes(field);
    case 'NotIn':
      return field === undefined || !values.includes(field);
    case 'Exists':
      return field !== undefined;
    case 'DoesNotExist':
      return field === undefined;
    default:
      return false;
  }
}

/**
 * Karmada's `ClusterMatches`: not excluded, labelSelector (when set) matches, every field
 * expression matches (`provider`/`region` against spec, `zone` against `spec.zones`), and the
 * name is in `clusterNames` when that list is non-empty.
 */
export function clusterMatches(
  cluster: Pick<Cluster, 'metadata' | 'spec'>,
  affinity: ClusterAffinity,
): boolean {
  const name = cluster.metadata.name ?? '';
  if ((affinity.exclude ?? []).includes(name)) return false;
  if (affinity.labelSelector && !safeLabelMatch(affinity.labelSelector, cluster.metadata.labels))
    return false;
  for (const expr of affinity.fieldSelector?.matchExpressions ?? []) {
    const values = expr.values ?? [];
    const spec = cluster.spec ?? {};
    if (expr.key === 'zone') {
      if (!matchZones(expr.operator, values, spec.zones ?? [])) return false;
      continue;
    }
    const field = expr.key === 'provider' ? spec.provider : expr.key === 'region' ? spec.region : undefined;
    if (!matchField(expr.operator, values, field || undefined)) return false;
  }
  const names = affinity.clusterNames ?? [];
  return names.length === 0 || names.includes(name);
}
