/**
 * The policies view: every (Cluster)PropagationPolicy with the templates it claims, and every
 * (Cluster)OverridePolicy with the templates it selects and the clusters its rules target. A
 * claim is read from the template's claim metadata (the detector's record), else from the
 * binding's policy annotations when the template's kind is not cached.
 */
import type {
  ClusterAffinity,
  OverridePolicy,
  Placement,
  PropagationPolicy,
  ResourceSelector,
} from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { claimOf } from '../controllers/detector/index.ts';
import { selectorsPriority } from '../overrides/index.ts';
import type { PlacementRow } from './placement.ts';

/** A template as the policies view names it. */
export interface TemplateRef {
  /** The placement row's id, so the page can link to the workload. */
  id: string;
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}

/** One policy. */
export interface PolicyRow {
  kind: 'PropagationPolicy' | 'ClusterPropagationPolicy' | 'OverridePolicy' | 'ClusterOverridePolicy';
  namespace?: string | undefined;
  name: string;
  priority?: number | undefined;
  /** One line per resource selector. */
  selectors: string[];
  /** Placement (propagation policies) or override rules (override policies), one line each. */
  rules: string[];
  /** Claimed (propagation) or selected (override) templates that have bindings. */
  templates: TemplateRef[];
  deleting: boolean;
}

/** The policies view. */
export interface PoliciesView {
  policies: PolicyRow[];
}

/** Inputs of {@link policiesView}, read from informer caches. */
export interface PoliciesInput {
  propagation: readonly PropagationPolicy[];
  clusterPropagation: readonly PropagationPolicy[];
  override: readonly OverridePolicy[];
  clusterOverride: readonly OverridePolicy[];
  /** The placement rows (templates with bindings). */
  rows: readonly PlacementRow[];
  /** The cached template of a row, if its kind is cached. */
  template(row: PlacementRow): KubeObject | undefined;
}

function selectorLine(s: ResourceSelector): string {
  const what = s.name
    ? s.name
    : s.labelSelector
      ? `labels ${JSON.stringify(s.labelSelector.matchLabels ?? s.labelSelector)}`
      : 'all';
  return `${s.apiVersion} ${s.kind}${s.namespace ? ` in ${s.namespace}` : ''}: ${what}`;
}

function affinityLine(a: ClusterAffinity): string {
  const parts: string[] = [];
  if (a.clusterNames?.length) parts.push(`clusters ${a.clusterNames.join(', ')}`);
  if (a.exclude?.length) parts.push(`exclude ${a.exclude.join(', ')}`);
  if (a.labelSelector) parts.push(`labels ${JSON.stringify(a.labelSelector.matchLabels ?? a.labelSelector)}`);
  if (a.fieldSelector) parts.push(`fields ${JSON.stringify(a.fieldSelector)}`);
  return parts.length ? parts.join('; ') : 'every cluster';
}

/** Human lines for a placement: affinity, spread, replica scheduling, tolerations. */
export function placementLines(p: Placement | undefined): string[] {
  if (!p) return ['every cluster (no placement)'];
  const out: string[] = [];
  if (p.clusterAffinity) out.push(`affinity: ${affinityLine(p.clusterAffinity)}`);
  for (const t of p.clusterAffinities ?? []) out.push(`affinity term ${t.affinityName}: ${affinityLine(t)}`);
  if (!p.clusterAffinity && !p.clusterAffinities?.length) out.push('affinity: every cluster');
  for (const s of p.spreadConstraints ?? []) {
    out.push(
      `spread by ${s.spreadByField ?? s.spreadByLabel ?? 'cluster'}: ${s.minGroups ?? '-'}..${s.maxGroups ?? '-'} groups`,
    );
  }
  const r = p.replicaScheduling;
  if (r) {
    let line = `replicas: ${r.replicaSchedulingType ?? 'Duplicated'}`;
    if (r.replicaSchedulingType === 'Divided') line += ` (${r.replicaDivisionPreference ?? 'Aggregated'})`;
    const weights = r.weightPreference?.staticWeightList;
    if (weights?.length) {
      line += `, weights ${weights.map((w) => `${affinityLine(w.targetCluster)}=${w.weight}`).join(', ')}`;
    } else if (r.weightPreference?.dynamicWeight) {
      line += `, weights by ${r.weightPreference.dynamicWeight}`;
    }
    out.push(line);
  }
  for (const t of p.clusterTolerations ?? []) {
    out.push(`tolerates ${t.key ?? '*'}${t.value ? `=${t.value}` : ''}:${t.effect ?? '*'}`);
  }
  return out;
}

function overrideLines(p: OverridePolicy): string[] {
  const rules = p.spec?.overrideRules?.length
    ? p.spec.overrideRules
    : [{ targetCluster: p.spec?.targetCluster, overriders: p.spec?.overriders ?? {} }];
  return rules.map((r) => {
    const kinds = Object.entries(r.overriders ?? {})
      .filter(([, v]) => Array.isArray(v) && v.length > 0)
      .map(([k, v]) => `${k} ×${(v as unknown[]).length}`);
    return `${r.targetCluster ? affinityLine(r.targetCluster) : 'every cluster'}: ${kinds.join(', ') || 'no overriders'}`;
  });
}

function ref(row: PlacementRow): TemplateRef {
  return { id: row.id, apiVersion: row.apiVersion, kind: row.kind, namespace: row.namespace, name: row.name };
}

function stub(row: PlacementRow): KubeObject {
  return {
    apiVersion: row.apiVersion,
    kind: row.kind,
    metadata: { name: row.name, ...(row.namespace ? { namespace: row.namespace } : {}) },
  };
}

/** Builds the policies view. Pure. */
export function policiesView(input: PoliciesInput): PoliciesView {
  const claimed = (p: PropagationPolicy, cluster: boolean) =>
    input.rows
      .filter((row) => {
        const t = input.template(row);
        const claim = t ? claimOf(t.metadata) : undefined;
        if (claim) {
          return cluster
            ? claim.kind === 'cpp' && claim.name === p.metadata.name
            : claim.kind === 'pp' &&
                claim.name === p.metadata.name &&
                claim.namespace === p.metadata.namespace;
        }
        const q = row.policy;
        return (
          q !== undefined &&
          q.name === p.metadata.name &&
          (cluster
            ? q.kind === 'ClusterPropagationPolicy'
            : q.kind === 'PropagationPolicy' && q.namespace === p.metadata.namespace)
        );
      })
      .map(ref);
  const selected = (p: OverridePolicy, cluster: boolean) =>
    input.rows
      .filter((row) => cluster || row.namespace === p.metadata.namespace)
      .filter((row) => {
        const selectors = p.spec?.resourceSelectors ?? [];
        return selectors.length === 0 || selectorsPriority(input.template(row) ?? stub(row), selectors) > 0;
      })
      .map(ref);
  const propagation =
    (cluster: boolean) =>
    (p: PropagationPolicy): PolicyRow => ({
      kind: cluster ? 'ClusterPropagationPolicy' : 'PropagationPolicy',
      namespace: p.metadata.namespace,
      name: p.metadata.name ?? '',
      priority: p.spec?.priority ?? 0,
      selectors: (p.spec?.resourceSelectors ?? []).map(selectorLine),
      rules: placementLines(p.spec?.placement),
      templates: claimed(p, cluster),
      deleting: p.metadata.deletionTimestamp !== undefined,
    });
  const override =
    (cluster: boolean) =>
    (p: OverridePolicy): PolicyRow => ({
      kind: cluster ? 'ClusterOverridePolicy' : 'OverridePolicy',
      namespace: p.metadata.namespace,
      name: p.metadata.name ?? '',
      selectors: (p.spec?.resourceSelectors ?? []).map(selectorLine),
      rules: overrideLines(p),
      templates: selected(p, cluster),
      deleting: p.metadata.deletionTimestamp !== undefined,
    });
  const byName = (a: PolicyRow, b: PolicyRow) =>
    (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);
  return {
    policies: [
      ...input.propagation.map(propagation(false)).sort(byName),
      ...input.clusterPropagation.map(propagation(true)).sort(byName),
      ...input.override.map(override(false)).sort(byName),
      ...input.clusterOverride.map(override(true)).sort(byName),
    ],
  };
}
