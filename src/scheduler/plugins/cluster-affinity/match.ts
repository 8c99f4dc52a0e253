/**
 * `clusterMatches`: whether a cluster satisfies one `ClusterAffinity` — an AND of not excluded,
 * label selector, field selector (provider/region against spec, zone against spec.zones) and
 * clusterNames (empty means any), as Karmada's `ClusterMatches` (K:pkg/util/selector.go).
 */
import type { Cluster, ClusterAffinity, FieldSelector, LabelSelector } from '../../../api/karmada/types.ts';
import {
  type LabelRequirement,
  labelSelectorRequirements,
  matchesRequirements,
} from '../../../api/selectors/index.ts';

type FieldExpression = NonNullable<FieldSelector['matchExpressions']>[number];

const parsed = new WeakMap<LabelSelector, LabelRequirement[] | 'invalid'>();

function requirements(selector: LabelSelector): LabelRequirement[] | 'invalid' {
  let reqs = parsed.get(selector);
  if (reqs === undefined) {
    try {
      reqs = labelSelectorRequirements(selector) ?? 'invalid';
    } catch {
      reqs = 'invalid';
    }
    if (typeof selector === 'object' && selector !== null) parsed.set(selector, reqs);
  }
  return reqs;
}

/** Zone semantics of §1.1: In = any overlap, NotIn = no overlap, Exists = some zone, DoesNotExist = none. */
function matchZones(expr: FieldExpression, zones: readonly string[]): boolean {
  const values = expr.values ?? [];
  switch (expr.operator) {
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

/** provider/region as a node-selector requirement over the cluster's non-empty fields. */
function matchField(expr: FieldExpression, value: string | undefined): boolean {
  const present = value !== undefined && value !== '';
  const values = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
      return present && values.includes(value);
    case 'NotIn':
      return !present || !values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}

/** Why a cluster fails an affinity, or undefined when it matches; the first failing clause wins. */
export function affinityMismatch(cluster: Cluster, affinity: ClusterAffinity): string | undefined {
  const name = cluster.metadata.name ?? '';
  if (affinity.exclude?.includes(name)) return 'excluded';
  if (affinity.labelSelector) {
    const reqs = requirements(affinity.labelSelector);
    if (reqs === 'invalid') return 'invalid labelSelector';
    if (!matchesRequirements(reqs, cluster.metadata.labels ?? {})) return 'labelSelector';
  }
  for (const expr of affinity.fieldSelector?.matchExpressions ?? []) {
    let ok: boolean;
    if (expr.key === 'zone') ok = matchZones(expr, cluster.spec?.zones ?? []);
    else if (expr.key === 'provider') ok = matchField(expr, cluster.spec?.provider);
    else if (expr.key === 'region') ok = matchField(expr, cluster.spec?.region);
    else ok = false;
    if (!ok) return `fieldSelector ${expr.key} ${expr.operator}`;
  }
  const names = affinity.clusterNames ?? [];
  if (names.length > 0 && !names.includes(name)) return 'clusterNames';
  return undefined;
}

/** Whether the cluster satisfies the affinity (Karmada's `util.ClusterMatches`). */
export function clusterMatches(cluster: Cluster, affinity: ClusterAffinity): boolean {
  return affinityMismatch(cluster, affinity) === undefined;
}
