/**
 * The pure half of `flotilla explain`: why a policy won (Karmada's precedence, recomputed with
 * the detector's rules) and the text the command prints from the gathered objects — the claim,
 * the policies that matched, every cluster's filter verdict and score, the replica arithmetic
 * from the scheduler's decision annotation, and the Works per cluster.
 */
import type { PropagationPolicy, ResourceBinding, TargetCluster } from '../api/karmada/types.ts';
import type { Diagnosis, TermDiagnosis } from '../scheduler/types.ts';
import { formatFields, formatTable } from './table.ts';

/** One (Cluster)PropagationPolicy that selects the template. */
export interface PolicyMatch {
  policy: PropagationPolicy;
  cluster: boolean;
  /** Implicit priority: 3 by name, 2 by label selector, 1 by kind. */
  implicit: number;
}

/** A policy's display name: `PropagationPolicy ns/name` or `ClusterPropagationPolicy name`. */
export function policyLabel(m: Pick<PolicyMatch, 'policy' | 'cluster'>): string {
  const p = m.policy.metadata;
  return m.cluster ? `ClusterPropagationPolicy ${p.name}` : `PropagationPolicy ${p.namespace}/${p.name}`;
}

const BY: Record<number, string> = { 3: 'name', 2: 'label selector', 1: 'kind (all of them)' };

/** How a policy selects: `by name (implicit priority 3)`. */
export function selectsBy(implicit: number): string {
  return `by ${BY[implicit] ?? 'nothing'}`;
}

/**
 * Why `loser` does not claim the template when `winner` does (K:pkg/detector/compare.go):
 * PP beats CPP, then explicit priority, then implicit priority, then the smaller name.
 */
export function lossReason(winner: PolicyMatch, loser: PolicyMatch): string {
  if (loser.policy.metadata.deletionTimestamp) return 'being deleted';
  if (loser.cluster && !winner.cluster) {
    return "a PropagationPolicy in the template's namespace wins over every ClusterPropagationPolicy";
  }
  const pw = winner.policy.spec?.priority ?? 0;
  const pl = loser.policy.spec?.priority ?? 0;
  if (pl !== pw) return `priority ${pl} < ${pw}`;
  if (loser.implicit !== winner.implicit) {
    return `selects ${selectsBy(loser.implicit)}, the winner ${selectsBy(winner.implicit)} (name > label > all)`;
  }
  return `same priorities; "${winner.policy.metadata.name}" sorts first by name`;
}

/** Everything `explain` gathered about one template. */
export interface ExplainData {
  what: string;
  namespace?: string | undefined;
  claimedBy?: PolicyMatch | undefined;
  /** Claim labels and annotations on the template. */
  claimMeta: [string, string][];
  /** The policy the detector's rules choose now (undefined when none matches). */
  best?: PolicyMatch | undefined;
  matches: PolicyMatch[];
  binding?: ResourceBinding | undefined;
  decision?: (Diagnosis & { kind?: string; at?: string }) | undefined;
  works: WorkRow[];
}

/** One cluster's Work as `explain` shows it. */
export interface WorkRow {
  cluster: string;
  work: string;
  applied: string;
  health: string;
  member: string;
}

/** One row of the policies that select a template, with its verdict. */
export interface PolicyVerdict {
  label: string;
  selects: string;
  priority: number;
  verdict: string;
  /** True for the policy that claims the template (or would, when it is unclaimed). */
  winner: boolean;
}

/** The claim and every matching policy's verdict, as `explain` states them (shared with the dashboard). */
export interface PolicyVerdicts {
  /** Why the claiming policy holds the template; undefined when unclaimed. */
  why?: string | undefined;
  /** The sentence shown instead when no policy claims the template. */
  unclaimed?: string | undefined;
  rows: PolicyVerdict[];
}

/** The policy half of `explain` as data: the claim's reason and each matching policy's verdict. */
export function policyVerdicts(d: ExplainData): PolicyVerdicts {
  const same = (a?: PolicyMatch, b?: PolicyMatch) =>
    a !== undefined &&
    b !== undefined &&
    a.policy.metadata.uid === b.policy.metadata.uid &&
    a.cluster === b.cluster;
  const out: PolicyVerdicts = { rows: [] };
  const c = d.claimedBy;
  if (c === undefined) {
    out.unclaimed = d.best
      ? `not claimed yet; ${policyLabel(d.best)} matches and will claim it`
      : 'not claimed: no PropagationPolicy or ClusterPropagationPolicy selects it, so it stays on the control plane';
  } else {
    out.why = same(c, d.best)
      ? d.matches.length === 1
        ? `selects it ${selectsBy(c.implicit)}, priority ${c.policy.spec?.priority ?? 0}; the only policy that does`
        : `selects it ${selectsBy(c.implicit)}, priority ${c.policy.spec?.priority ?? 0}; wins over the ${d.matches.length - 1} other(s) below`
      : 'an existing claim is sticky: it stays with this policy while the policy still selects the template';
  }
  const winner = d.claimedBy ?? d.best;
  out.rows = d.matches.map((m) => ({
    label: policyLabel(m),
    selects: selectsBy(m.implicit),
    priority: m.policy.spec?.priority ?? 0,
    verdict: same(m, winner)
      ? 'claims it'
      : same(m, d.best)
        ? 'would win if unclaimed'
        : winner
          ? `loses: ${lossReason(winner, m)}`
          : '',
    winner: same(m, winner),
  }));
  return out;
}

function policySection(d: ExplainData): string[] {
  const out = ['Policy'];
  const v = policyVerdicts(d);
  if (d.claimedBy === undefined) {
    out.push(`  ${v.unclaimed}`);
  } else {
    out.push(
      ...formatFields(
        [
          ['claimed by', policyLabel(d.claimedBy)],
          ...d.claimMeta.map(([k, val]): [string, string] => ['claim', `${k}=${val}`]),
          ['why', v.why ?? ''],
        ],
        '  ',
      ),
    );
  }
  if (v.rows.length > 0) {
    const rows = v.rows.map((r) => [r.label, r.selects, String(r.priority), r.verdict]);
    out.push('', ...formatTable([['POLICY', 'SELECTS', 'PRIORITY', 'VERDICT'], ...rows], '  '));
  }
  return out;
}

function termLines(t: TermDiagnosis, showName: boolean): string[] {
  const out: string[] = [];
  if (showName)
    out.push(
      `  affinity term ${t.index ?? 0} "${t.affinityName ?? ''}": ${t.outcome}${t.message ? ` (${t.message})` : ''}`,
    );
  const rows = t.clusters.map((c) => [
    c.name,
    c.rejected ? 'rejected' : 'fits',
    c.rejected
      ? `${c.rejected.reason}${c.rejected.detail ? `: ${c.rejected.detail}` : ''}`
      : (c.notes ?? []).join('; ') || '-',
    c.score === undefined
      ? '-'
      : `${c.score}${
          c.scores
            ? ` (${Object.entries(c.scores)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')})`
            : ''
        }`,
    c.available === undefined ? '-' : String(c.available),
    c.rejected ? '-' : c.selected === false ? 'no' : 'yes',
  ]);
  out.push(
    ...formatTable([['CLUSTER', 'FILTER', 'REASON', 'SCORE', 'AVAILABLE', 'SELECTED'], ...rows], '  '),
  );
  if (t.selection && t.selection.by !== 'none') {
    out.push(
      `  spread: by ${t.selection.by}${t.selection.note ? ` (${t.selection.note})` : ''}; selected ${t.selection.selected.join(', ')}`,
    );
  }
  return out;
}

function list(r: Record<string, number> | undefined): string {
  return Object.entries(r ?? {})
    .map(([k, v]) => `${k}:${v}`)
    .join(', ');
}

/** The replica arithmetic of a diagnosis, one fact per line. */
export function replicaLines(d: Diagnosis, result: readonly TargetCluster[]): string[] {
  const term = d.terms.find((t) => t.affinityName === d.chosenAffinity) ?? d.terms[d.terms.length - 1];
  const a = term?.assignment;
  const out: string[] = [`  strategy ${d.strategy}, ${d.replicas} replica(s), ${d.mode}`];
  if (d.strategy === 'NonWorkload') out.push('  not a workload: every selected cluster gets the object');
  else if (d.strategy === 'Duplicated')
    out.push(`  Duplicated: each selected cluster runs all ${d.replicas} replica(s)`);
  if (a?.weights)
    out.push(`  weights ${list(a.weights)}${a.defaultWeights ? ' (no entry matched: 1 each)' : ''}`);
  if (a?.previous) out.push(`  previous ${list(a.previous)}`);
  if (a?.step && a.step !== 'duplicate')
    out.push(`  step ${a.step}${a.target !== undefined ? `, distributing ${a.target}` : ''}`);
  if (a?.availableWeights) out.push(`  available ${list(a.availableWeights)} (sum ${a.availableSum ?? '-'})`);
  if (a?.aggregatedPrefix) out.push(`  aggregated onto ${a.aggregatedPrefix.join(', ')}`);
  if (a?.webster) {
    const w = a.webster;
    out.push(
      `  Webster: ${w.seats} seat(s) over votes ${list(w.votes)} → ${list(w.result)} (ties ${w.tieBreak}${w.ties.length ? `, ${w.ties.length} tie(s)` : ''})`,
    );
  }
  if (a?.droppedZero?.length) out.push(`  dropped with 0 replicas: ${a.droppedZero.join(', ')}`);
  out.push(
    `  result ${result.length ? result.map((t) => `${t.name}:${t.replicas ?? 0}`).join(', ') : '(no cluster)'}`,
  );
  return out;
}

/** The whole `explain` text. */
export function renderExplain(d: ExplainData): string[] {
  const out = [`${d.what}${d.namespace ? ` in namespace ${d.namespace}` : ''}`, '', ...policySection(d)];
  if (!d.binding) {
    if (d.claimedBy) out.push('', 'Scheduling', '  no binding yet (the detector has not created it)');
    return out;
  }
  const b = d.binding;
  const sched = b.status?.conditions?.find((c) => c.type === 'Scheduled');
  out.push(
    '',
    `Scheduling (binding ${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name}: Scheduled=${sched?.status ?? 'Unknown'}${sched?.status === 'True' ? '' : ` ${sched?.reason ?? ''} ${sched?.message ?? ''}`.trimEnd()})`,
  );
  if (!d.decision) {
    out.push('  no scheduling decision recorded yet');
  } else {
    for (const t of d.decision.terms) out.push(...termLines(t, d.decision.affinity === 'terms'));
    out.push('', 'Replicas', ...replicaLines(d.decision, b.spec.clusters ?? []));
  }
  out.push('', 'Works');
  if (d.works.length === 0) out.push('  none');
  else
    out.push(
      ...formatTable(
        [
          ['CLUSTER', 'WORK', 'APPLIED', 'HEALTH', 'MEMBER STATUS'],
          ...d.works.map((w) => [w.cluster, w.work, w.applied, w.health, w.member]),
        ],
        '  ',
      ),
    );
  return out;
}
