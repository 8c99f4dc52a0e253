/**
 * Pure policy logic of the resource detector: choosing the one policy that claims a template
 * (K:pkg/detector/compare.go), and reading, writing and stripping claim metadata (K:pkg/
 * detector/claim.go).
 */
import { ANNOTATIONS, LABELS } from '../../api/karmada/names.ts';
import type { PropagationPolicy } from '../../api/karmada/types.ts';
import type { KubeObject, ObjectMeta } from '../../api/meta.ts';
import { selectorsPriority } from '../../overrides/index.ts';

type Template = Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;

/**
 * The policy that claims `template` among `policies` (all of one kind): policies being deleted
 * and non-matching ones are skipped; then highest `spec.priority` (nil = 0), highest implicit
 * priority (name > labelSelector > all), smallest name. Undefined when none matches.
 */
export function bestPolicy<P extends PropagationPolicy>(
  template: Template,
  policies: readonly P[],
): P | undefined {
  let best: { p: P; explicit: number; implicit: number } | undefined;
  for (const p of policies) {
    if (p.metadata.deletionTimestamp) continue;
    const implicit = selectorsPriority(template, p.spec?.resourceSelectors);
    if (implicit === 0) continue;
    const explicit = p.spec?.priority ?? 0;
    const name = p.metadata.name ?? '';
    if (
      !best ||
      explicit > best.explicit ||
      (explicit === best.explicit &&
        (implicit > best.implicit || (implicit === best.implicit && name < (best.p.metadata.name ?? ''))))
    ) {
      best = { p, explicit, implicit };
    }
  }
  return best?.p;
}

/**
 * Index keys under which a policy can match templates: `n|apiVersion|kind|name` for a named
 * selector, `k|apiVersion|kind` for a label or match-all one. A template's candidates are the
 * policies under its two {@link templateSelectorKeys}; every policy that can match it is one.
 */
export function policySelectorKeys(policy: Pick<PropagationPolicy, 'spec'>): string[] {
  return (policy.spec?.resourceSelectors ?? []).map((s) =>
    s.name ? `n|${s.apiVersion}|${s.kind}|${s.name}` : `k|${s.apiVersion}|${s.kind}`,
  );
}

/** The two {@link policySelectorKeys} a template can be matched under. */
export function templateSelectorKeys(template: Template): [string, string] {
  return [
    `n|${template.apiVersion}|${template.kind}|${template.metadata.name ?? ''}`,
    `k|${template.apiVersion}|${template.kind}`,
  ];
}

/** A template's claim: by a PP (`namespace`/`name`) or a CPP (`name`), with the permanent id. */
export type Claim =
  | { kind: 'pp'; namespace: string; name: string; id: string }
  | { kind: 'cpp'; name: string; id: string };

/** The claim recorded on an object, PP first as the detector checks it; undefined when unclaimed. */
export function claimOf(meta: ObjectMeta): Claim | undefined {
  const a = meta.annotations ?? {};
  const l = meta.labels ?? {};
  const ns = a[ANNOTATIONS.ppNamespace];
  const name = a[ANNOTATIONS.ppName];
  const id = l[LABELS.ppPermanentId];
  if (ns && name && id) return { kind: 'pp', namespace: ns, name, id };
  const cname = a[ANNOTATIONS.cppName];
  const cid = l[LABELS.cppPermanentId];
  if (cname && cid) return { kind: 'cpp', name: cname, id: cid };
  return undefined;
}

/** The claim labels and annotations for a policy (PP: id, namespace, name; CPP: id, name). */
export function claimMetadata(
  policy: PropagationPolicy,
  cluster: boolean,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const meta = policy.metadata;
  if (cluster) {
    return {
      labels: { [LABELS.cppPermanentId]: meta.labels?.[LABELS.cppPermanentId] ?? '' },
      annotations: { [ANNOTATIONS.cppName]: meta.name ?? '' },
    };
  }
  return {
    labels: { [LABELS.ppPermanentId]: meta.labels?.[LABELS.ppPermanentId] ?? '' },
    annotations: { [ANNOTATIONS.ppNamespace]: meta.namespace ?? '', [ANNOTATIONS.ppName]: meta.name ?? '' },
  };
}

const PP_KEYS = {
  labels: [LABELS.ppPermanentId],
  annotations: [ANNOTATIONS.ppNamespace, ANNOTATIONS.ppName],
};
const CPP_KEYS = { labels: [LABELS.cppPermanentId], annotations: [ANNOTATIONS.cppName] };

function without(
  map: Record<string, string> | undefined,
  keys: readonly string[],
): Record<string, string> | undefined {
  if (!map) return map;
  const out = { ...map };
  for (const k of keys) delete out[k];
  return out;
}

/** Removes one kind of claim metadata from `meta` in place; true when something was removed. */
export function stripClaim(meta: ObjectMeta, cluster: boolean): boolean {
  const keys = cluster ? CPP_KEYS : PP_KEYS;
  const had =
    keys.labels.some((k) => meta.labels?.[k] !== undefined) ||
    keys.annotations.some((k) => meta.annotations?.[k] !== undefined);
  if (!had) return false;
  const labels = without(meta.labels, keys.labels);
  const annotations = without(meta.annotations, keys.annotations);
  if (labels) meta.labels = labels;
  if (annotations) meta.annotations = annotations;
  return true;
}

/**
 * Writes a policy's claim onto `meta` in place (a PP claim also drops any CPP claim); true when
 * anything changed.
 */
export function applyClaim(meta: ObjectMeta, policy: PropagationPolicy, cluster: boolean): boolean {
  let changed = cluster ? false : stripClaim(meta, true);
  const want = claimMetadata(policy, cluster);
  for (const [k, v] of Object.entries(want.labels)) {
    if (meta.labels?.[k] !== v) {
      meta.labels = { ...meta.labels, [k]: v };
      changed = true;
    }
  }
  for (const [k, v] of Object.entries(want.annotations)) {
    if (meta.annotations?.[k] !== v) {
      meta.annotations = { ...meta.annotations, [k]: v };
      changed = true;
    }
  }
  return changed;
}
