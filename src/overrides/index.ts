/**
 * The override engine: which (Cluster)OverridePolicies apply to a template for one cluster, in
 * what order, and the manifest they produce (K:pkg/util/overridemanager). Pure functions; the
 * binding controller feeds them from its informer caches.
 *
 * Order: ClusterOverridePolicies first, then OverridePolicies of the template's namespace (only
 * for namespaced templates); within each, policies sorted by ascending implicit priority (all,
 * labelSelector, name) then name, so the most specific applies last. Every rule whose
 * `targetCluster` is nil or matches contributes its overriders, applied in that order.
 */

import { ANNOTATIONS } from '../api/karmada/names.ts';
import type { Cluster, OverridePolicy, Overriders } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { applyOverriders } from './overriders.ts';
import { clusterMatches, selectorsPriority } from './selectors.ts';

export { formatImage, type ImageParts, overrideImage, parseImage } from './image.ts';
export { applyPatch, OverrideError, type PatchOperation } from './json-patch.ts';
export { applyOverriders } from './overriders.ts';
export {
  clusterMatches,
  IMPLICIT_PRIORITY,
  type ImplicitPriority,
  selectorPriority,
  selectorsPriority,
} from './selectors.ts';

/** One applied rule as Karmada records it: `{policyName, overriders}`. */
export interface AppliedOverride {
  policyName: string;
  overriders: Overriders;
}

/** What {@link applyOverridePolicies} needs. */
export interface OverrideInput {
  /** The template for one cluster (replicas already revised); not modified. */
  manifest: KubeObject;
  cluster: Pick<Cluster, 'metadata' | 'spec'>;
  clusterOverridePolicies: readonly OverridePolicy[];
  /** OverridePolicies of any namespace; only the manifest's namespace is used. */
  overridePolicies: readonly OverridePolicy[];
}

/** The overridden manifest plus the rules applied, per kind; empty lists when none applied. */
export interface OverrideResult {
  manifest: KubeObject;
  appliedClusterOverrides: AppliedOverride[];
  appliedOverrides: AppliedOverride[];
}

/** The rules of `policies` that apply to `manifest` on `cluster`, in application order. */
export function matchingOverrides(
  manifest: KubeObject,
  cluster: OverrideInput['cluster'],
  policies: readonly OverridePolicy[],
): AppliedOverride[] {
  const ranked = policies
    .map((p) => {
      const selectors = p.spec?.resourceSelectors ?? [];
      const priority = selectors.length === 0 ? 1 : selectorsPriority(manifest, selectors);
      return { p, priority };
    })
    .filter((x) => x.priority > 0)
    .sort(
      (a, b) =>
        a.priority - b.priority ||
        ((a.p.metadata.name ?? '') < (b.p.metadata.name ?? '')
          ? -1
          : a.p.metadata.name === b.p.metadata.name
            ? 0
            : 1),
    );
  const out: AppliedOverride[] = [];
  for (const { p } of ranked) {
    const spec = p.spec ?? {};
    const rules =
      spec.overrideRules && spec.overrideRules.length > 0
        ? spec.overrideRules
        : [
            {
              ...(spec.targetCluster ? { targetCluster: spec.targetCluster } : {}),
              overriders: spec.overriders ?? {},
            },
          ];
    for (const rule of rules) {
      if (rule.targetCluster && !clusterMatches(cluster, rule.targetCluster)) continue;
      out.push({ policyName: p.metadata.name ?? '', overriders: rule.overriders ?? {} });
    }
  }
  return out;
}

/**
 * Applies every matching override to a copy of `input.manifest` for `input.cluster`. Throws
 * `OverrideError` when an overrider does not apply; the input is never modified.
 */
export function applyOverridePolicies(input: OverrideInput): OverrideResult {
  const manifest = structuredClone(input.manifest) as KubeObject;
  const namespace = manifest.metadata.namespace ?? '';
  const appliedClusterOverrides = matchingOverrides(manifest, input.cluster, input.clusterOverridePolicies);
  for (const a of appliedClusterOverrides) applyOverriders(manifest, a.overriders);
  let appliedOverrides: AppliedOverride[] = [];
  if (namespace) {
    const local = input.overridePolicies.filter((p) => p.metadata.namespace === namespace);
    appliedOverrides = matchingOverrides(manifest, input.cluster, local);
    for (const a of appliedOverrides) applyOverriders(manifest, a.overriders);
  }
  return { manifest, appliedClusterOverrides, appliedOverrides };
}

const OVERRIDER_ORDER = [
  'plaintext',
  'imageOverrider',
  'commandOverrider',
  'argsOverrider',
  'labelsOverrider',
  'annotationsOverrider',
  'fieldOverrider',
] as const;

/** Each overrider's JSON fields in Go struct order; `true` marks `omitempty`. */
const FIELDS: Record<string, readonly (readonly [string, boolean])[]> = {
  plaintext: [
    ['path', false],
    ['operator', false],
    ['value', true],
  ],
  imageOverrider: [
    ['predicate', true],
    ['component', false],
    ['operator', false],
    ['value', true],
  ],
  commandOverrider: [
    ['containerName', false],
    ['operator', false],
    ['value', true],
  ],
  argsOverrider: [
    ['containerName', false],
    ['operator', false],
    ['value', true],
  ],
  labelsOverrider: [
    ['operator', false],
    ['value', false],
  ],
  annotationsOverrider: [
    ['operator', false],
    ['value', false],
  ],
  fieldOverrider: [
    ['fieldPath', false],
    ['json', true],
    ['yaml', true],
  ],
  patch: [
    ['subPath', false],
    ['operator', false],
    ['value', true],
  ],
};

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** Go's encoding of one overrider: struct field order, omitempty, map keys sorted. */
function goEncode(kind: string, item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, omitEmpty] of FIELDS[kind] ?? []) {
    let v = item[field];
    if (omitEmpty && isEmpty(v)) continue;
    if (
      (kind === 'labelsOverrider' || kind === 'annotationsOverrider') &&
      field === 'value' &&
      v &&
      typeof v === 'object'
    ) {
      v = Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    if (field === 'json' || field === 'yaml')
      v = (v as Record<string, unknown>[]).map((op) => goEncode('patch', op));
    out[field] = v ?? (field === 'value' ? null : '');
  }
  return out;
}

/**
 * Renders applied rules as Karmada's Work annotation value: a JSON list of `{policyName,
 * overriders}` sorted by policy name, with fields in the Go types' order; undefined when empty.
 */
export function formatAppliedOverrides(applied: readonly AppliedOverride[]): string | undefined {
  if (applied.length === 0) return undefined;
  const items = [...applied]
    .sort((a, b) => (a.policyName < b.policyName ? -1 : a.policyName > b.policyName ? 1 : 0))
    .map((a) => {
      const overriders: Record<string, unknown> = {};
      for (const kind of OVERRIDER_ORDER) {
        const list = a.overriders[kind] as Record<string, unknown>[] | undefined;
        if (list && list.length > 0) overriders[kind] = list.map((i) => goEncode(kind, i));
      }
      return { policyName: a.policyName, overriders };
    });
  return JSON.stringify(items);
}

/**
 * The Work annotations recording a result: `policy.karmada.io/applied-cluster-overrides` and
 * `policy.karmada.io/applied-overrides`, each present only when something applied.
 */
export function appliedOverrideAnnotations(
  result: Pick<OverrideResult, 'appliedClusterOverrides' | 'appliedOverrides'>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const cops = formatAppliedOverrides(result.appliedClusterOverrides);
  const ops = formatAppliedOverrides(result.appliedOverrides);
  if (cops) out[ANNOTATIONS.appliedClusterOverrides] = cops;
  if (ops) out[ANNOTATIONS.appliedOverrides] = ops;
  return out;
}
