/**
 * A workload's page: what `flotilla explain` prints, as data the page draws. The objects are
 * gathered by the CLI's own `gatherExplain` (the same reads, the same precedence rules) and the
 * policy verdicts and replica arithmetic come from the same render helpers, so the page and the
 * command never disagree; the command's exact text rides along.
 */

import type { PolicyVerdict, WorkRow } from '../cli/explain-render.ts';
import {
  type ExplainData,
  policyLabel,
  policyVerdicts,
  renderExplain,
  replicaLines,
} from '../cli/explain-render.ts';
import type { Client } from '../client/client.ts';
import type { TermDiagnosis } from '../scheduler/types.ts';

/** Which template to explain. */
export interface WorkloadRef {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}

/** What the workload page draws. */
export interface ExplainModel {
  what: string;
  namespace?: string | undefined;
  policy: {
    claimedBy?: string | undefined;
    claim: [string, string][];
    why?: string | undefined;
    unclaimed?: string | undefined;
    rows: PolicyVerdict[];
  };
  scheduling?:
    | {
        binding: string;
        scheduled: { status: string; reason?: string | undefined; message?: string | undefined };
        decidedAt?: string | undefined;
        /** `terms` when the policy has clusterAffinities (each term then has a name). */
        affinity?: string | undefined;
        chosenAffinity?: string | undefined;
        terms: TermDiagnosis[];
      }
    | undefined;
  replicas?:
    | {
        strategy: string;
        total: number;
        lines: string[];
        result: { cluster: string; replicas: number }[];
      }
    | undefined;
  works: WorkRow[];
  /** `flotilla explain`'s output, line by line. */
  text: string[];
}

/** `deployment.apps/NAME` (core kinds without a group), the target `gatherExplain` resolves. */
export function explainTarget(ref: WorkloadRef): string {
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

/** Turns what `gatherExplain` read into the page's model. Pure. */
export function explainModel(d: ExplainData): ExplainModel {
  const verdicts = policyVerdicts(d);
  const model: ExplainModel = {
    what: d.what,
    namespace: d.namespace,
    policy: {
      claimedBy: d.claimedBy ? policyLabel(d.claimedBy) : undefined,
      claim: d.claimMeta,
      why: verdicts.why,
      unclaimed: verdicts.unclaimed,
      rows: verdicts.rows,
    },
    works: d.works,
    text: renderExplain(d),
  };
  const b = d.binding;
  if (b) {
    const sched = b.status?.conditions?.find((c) => c.type === 'Scheduled');
    model.scheduling = {
      binding: `${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name}`,
      scheduled: {
        status: sched?.status ?? 'Unknown',
        ...(sched?.status === 'True' ? {} : { reason: sched?.reason, message: sched?.message }),
      },
      decidedAt: d.decision?.at,
      affinity: d.decision?.affinity,
      chosenAffinity: d.decision?.chosenAffinity,
      terms: d.decision?.terms ?? [],
    };
    if (d.decision) {
      const result = b.spec.clusters ?? [];
      model.replicas = {
        strategy: d.decision.strategy,
        total: d.decision.replicas,
        // The CLI indents these lines for its layout; the page lays them out itself.
        lines: replicaLines(d.decision, result).map((l) => l.trim()),
        result: result.map((t) => ({ cluster: t.name, replicas: t.replicas ?? 0 })),
      };
    }
  }
  return model;
}

/** Reads and explains one template through `client`; throws what `gatherExplain` throws. */
export async function explainWorkload(client: Client, ref: WorkloadRef): Promise<ExplainModel> {
  const { gatherExplain } = await import('../cli/explain.ts');
  return explainModel(await gatherExplain(client, explainTarget(ref), ref.namespace));
}
