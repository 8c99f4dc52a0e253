/**
 * `flotilla plan -f FILE…`: a placement preview. The files' templates and (Cluster)Propagation-
 * and OverridePolicies are laid over what the control plane holds (a file's policy replaces the
 * stored one of the same name); each template — from the files, or stored and selected by a
 * file's policy — gets its policy by the detector's rules (`bestPolicy`, a sticky claim kept) and
 * its placement from the scheduler's core (`planPlacement`) against the current Clusters, and the
 * change against its current binding is printed. Reads only; nothing is written.
 */
import { readFile } from 'node:fs/promises';
import { isNotFound } from '../api/errors.ts';
import { bindingName } from '../api/karmada/names.ts';
import type { Cluster, OverridePolicy, PropagationPolicy, ResourceBinding } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { Discovery } from '../client/discovery.ts';
import { resources } from '../client/resources.ts';
import { bestPolicy, claimOf } from '../controllers/detector/index.ts';
import { parseManifests } from '../controlplane/manifests.ts';
import { applyOverridePolicies, selectorsPriority } from '../overrides/index.ts';
import { planPlacement } from '../scheduler/index.ts';
import { CliError } from './errors.ts';
import { policyLabel } from './explain-render.ts';
import { formatTable } from './table.ts';

const POLICY_KINDS = new Set([
  'PropagationPolicy',
  'ClusterPropagationPolicy',
  'OverridePolicy',
  'ClusterOverridePolicy',
]);

function keyOf(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Stored objects with the file's versions laid over them (matched by kind, namespace, name). */
function overlay<T extends KubeObject>(stored: readonly T[], files: readonly T[]): T[] {
  const byKey = new Map(stored.map((o) => [keyOf(o), o]));
  for (const o of files) byKey.set(keyOf(o), o);
  return [...byKey.values()];
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Options for {@link runPlan}. */
export interface PlanOptions {
  client: Client;
  files: readonly string[];
  /** Namespace for namespaced objects without one; default `default`. */
  namespace?: string | undefined;
}

/** Computes the plan and returns the lines to print. */
export async function runPlan(options: PlanOptions): Promise<string[]> {
  const { client } = options;
  const ns = options.namespace ?? 'default';
  const objects: KubeObject[] = [];
  for (const file of options.files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${file}`, { cause: err });
    }
    objects.push(...parseManifests(text, file));
  }
  const discovery = new Discovery({ client });
  const withNs = async (o: KubeObject): Promise<KubeObject> => {
    const ref = await discovery.resolve({ apiVersion: o.apiVersion ?? '', kind: o.kind ?? '' });
    return ref.namespaced ? { ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? ns } } : o;
  };
  const fileObjects = await Promise.all(objects.map(withNs));
  const of = <T extends KubeObject>(kind: string) => fileObjects.filter((o) => o.kind === kind) as T[];
  const [pps, cpps, ops, cops, clusters] = await Promise.all([
    client.list<PropagationPolicy>(resources.propagationpolicies),
    client.list<PropagationPolicy>(resources.clusterpropagationpolicies),
    client.list<OverridePolicy>(resources.overridepolicies),
    client.list<OverridePolicy>(resources.clusteroverridepolicies),
    client.list<Cluster>(resources.clusters),
  ]);
  const allPp = overlay(
    pps.items.map((p) => ({ ...p, kind: 'PropagationPolicy' })),
    of<PropagationPolicy>('PropagationPolicy'),
  );
  const allCpp = overlay(
    cpps.items.map((p) => ({ ...p, kind: 'ClusterPropagationPolicy' })),
    of<PropagationPolicy>('ClusterPropagationPolicy'),
  );
  const allOp = overlay(
    ops.items.map((p) => ({ ...p, kind: 'OverridePolicy' })),
    of<OverridePolicy>('OverridePolicy'),
  );
  const allCop = overlay(
    cops.items.map((p) => ({ ...p, kind: 'ClusterOverridePolicy' })),
    of<OverridePolicy>('ClusterOverridePolicy'),
  );

  // Templates: the files' own, then stored ones that a file's propagation policy selects.
  const templates = new Map<string, KubeObject>();
  for (const t of fileObjects) if (!POLICY_KINDS.has(t.kind ?? '')) templates.set(keyOf(t), t);
  for (const p of [
    ...of<PropagationPolicy>('PropagationPolicy'),
    ...of<PropagationPolicy>('ClusterPropagationPolicy'),
  ]) {
    for (const sel of p.spec?.resourceSelectors ?? []) {
      const ref = await orUndefined(discovery.resolve({ apiVersion: sel.apiVersion, kind: sel.kind }));
      if (!ref) continue;
      const namespace = ref.namespaced
        ? p.kind === 'PropagationPolicy'
          ? p.metadata.namespace
          : sel.namespace
        : undefined;
      const stored = await client.list(ref, namespace ? { namespace } : {});
      for (const t of stored.items) {
        const tpl = { ...t, apiVersion: sel.apiVersion, kind: sel.kind };
        if (selectorsPriority(tpl, p.spec?.resourceSelectors) > 0 && !templates.has(keyOf(tpl)))
          templates.set(keyOf(tpl), tpl);
      }
    }
  }

  const out: string[] = [];
  let changed = 0;
  for (const t of templates.values()) {
    const tns = t.metadata.namespace;
    const what = `${(t.kind ?? '').toLowerCase()}/${t.metadata.name}${tns ? ` (${tns})` : ''}`;
    const live = await orUndefined(
      client.get(await discovery.resolve({ apiVersion: t.apiVersion ?? '', kind: t.kind ?? '' }), {
        name: t.metadata.name ?? '',
        namespace: tns,
      }),
    );
    const claim = live ? claimOf(live.metadata) : undefined;
    const localPps = tns ? allPp.filter((p) => p.metadata.namespace === tns) : [];
    const sticky = claim
      ? claim.kind === 'pp'
        ? localPps.find((p) => p.metadata.name === claim.name && p.metadata.namespace === claim.namespace)
        : allCpp.find((p) => p.metadata.name === claim.name)
      : undefined;
    const keep = sticky && selectorsPriority(t, sticky.spec?.resourceSelectors) > 0 ? sticky : undefined;
    const pp = keep ?? bestPolicy(t, localPps);
    const policy = pp ?? bestPolicy(t, allCpp);
    const binding = await orUndefined(
      client.get<ResourceBinding>(tns ? resources.resourcebindings : resources.clusterresourcebindings, {
        name: bindingName(t.kind ?? '', t.metadata.name ?? ''),
        namespace: tns,
      }),
    );
    if (!policy) {
      out.push(
        `${what}: no policy selects it; stays on the control plane${binding ? ' (its current placement is kept)' : ''}`,
        '',
      );
      continue;
    }
    const cluster = policy.kind === 'ClusterPropagationPolicy';
    const plan = planPlacement({
      template: live?.metadata.uid ? { ...t, metadata: { ...t.metadata, uid: live.metadata.uid } } : t,
      policy,
      clusters: clusters.items,
      currentBinding: binding,
    });
    out.push(
      `${what}: ${policyLabel({ policy, cluster })}${keep && keep !== bestPolicy(t, localPps) ? ' (kept: an existing claim is sticky)' : ''}`,
    );
    if (plan.result.kind !== 'Success') out.push(`  ${plan.result.kind}: ${plan.result.reason}`);
    const rows = plan.changes.map((c) => {
      if (c.kind !== 'keep') changed++;
      const target = clusters.items.find((x) => x.metadata.name === c.cluster);
      let overrides = '-';
      if (target && c.to > 0) {
        try {
          const r = applyOverridePolicies({
            manifest: t,
            cluster: target,
            clusterOverridePolicies: allCop,
            overridePolicies: allOp,
          });
          const names = [...r.appliedClusterOverrides, ...r.appliedOverrides].map((a) => a.policyName);
          overrides = names.length ? names.join(', ') : '-';
        } catch (err) {
          overrides = `error: ${(err as Error).message}`;
        }
      }
      return [
        c.cluster,
        c.kind === 'keep' ? 'unchanged' : c.kind,
        `${binding ? c.from : '-'} → ${c.to}`,
        overrides,
      ];
    });
    out.push(...formatTable([['CLUSTER', 'CHANGE', 'REPLICAS', 'OVERRIDES'], ...rows], '  '), '');
  }
  out.push(
    `plan: ${templates.size} template(s), ${changed} cluster change(s) against the current placement; nothing was applied`,
  );
  return out;
}
