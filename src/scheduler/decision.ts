/**
 * The decision annotation (`scheduler.flotilla.io/decision`) on the wire. A diagnosis lists every
 * cluster's verdict, so with a hundred clusters it is mostly the same rejection repeated; the
 * annotation groups identical rejections (`rejectedGroups`: one plugin, reason and detail with
 * the clusters it rejected) and keeps full verdicts only for clusters that passed. This keeps a
 * binding (and every watch event about it) small. `decodeDecision` restores the full form.
 */
import type { ClusterVerdict, Diagnosis, FilterRejection, TermDiagnosis } from './types.ts';

/** A decision as readers see it: the diagnosis plus the result kind and when it was made. */
export type Decision = Diagnosis & { kind?: string; at?: string };

interface RejectedGroup extends FilterRejection {
  clusters: string[];
}

type WireTerm = Omit<TermDiagnosis, 'clusters'> & {
  clusters: ClusterVerdict[];
  rejectedGroups?: RejectedGroup[];
};

function groupKey(r: FilterRejection): string {
  return JSON.stringify([r.plugin, r.reason, r.detail ?? null]);
}

/** The compact annotation value for a decision. */
export function encodeDecision(decision: Decision): string {
  const terms: WireTerm[] = decision.terms.map((t) => {
    const kept: ClusterVerdict[] = [];
    const groups = new Map<string, RejectedGroup>();
    for (const c of t.clusters) {
      // A rejected verdict with anything beyond its rejection keeps its full form.
      const { name, rejected, ...rest } = c;
      if (!rejected || Object.keys(rest).length > 0) {
        kept.push(c);
        continue;
      }
      const key = groupKey(rejected);
      const g = groups.get(key) ?? { ...rejected, clusters: [] };
      g.clusters.push(name);
      groups.set(key, g);
    }
    return groups.size > 0 ? { ...t, clusters: kept, rejectedGroups: [...groups.values()] } : t;
  });
  return JSON.stringify({ ...decision, terms });
}

/**
 * The decision recorded in an annotation value (compact or full), verdicts in cluster-name
 * order; undefined when the value is not a decision.
 */
export function decodeDecision(raw: string | undefined): Decision | undefined {
  if (!raw) return undefined;
  let parsed: { terms?: unknown };
  try {
    parsed = JSON.parse(raw) as { terms?: unknown };
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.terms)) return undefined;
  const terms = (parsed.terms as WireTerm[]).map((t) => {
    const { rejectedGroups, ...rest } = t;
    const clusters = [...(t.clusters ?? [])];
    for (const g of rejectedGroups ?? []) {
      const { clusters: names, ...rejected } = g;
      for (const name of names) clusters.push({ name, rejected: { ...rejected } });
    }
    clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { ...rest, clusters };
  });
  return { ...(parsed as Decision), terms };
}
