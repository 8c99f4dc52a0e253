/**
 * `flotilla explain KIND/NAME [-n NS]`: reads the template, the policies, its binding (with the
 * scheduler's decision annotation) and its Works from the control plane, and prints why it is
 * where it is (`explain-render.ts`). Reads only; a missing object is one line and exit 1.
 */
import { isNotFound } from '../api/errors.ts';
import { ANNOTATIONS, bindingName, executionNamespace, LABELS, workName } from '../api/karmada/names.ts';
import type { PropagationPolicy, ResourceBinding, Work } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { bestPolicy, claimOf } from '../controllers/detector/index.ts';
import { selectorsPriority } from '../overrides/index.ts';
import { DECISION_ANNOTATION, decodeDecision } from '../scheduler/index.ts';
import { CliError, UsageError } from './errors.ts';
import { type ExplainData, type PolicyMatch, renderExplain, type WorkRow } from './explain-render.ts';
import { resolveKind } from './resolve-kind.ts';

/** Splits `KIND/NAME`; throws `UsageError` otherwise. */
export function parseTarget(arg: string): { kind: string; name: string } {
  const slash = arg.indexOf('/');
  if (slash <= 0 || slash === arg.length - 1 || arg.indexOf('/', slash + 1) >= 0) {
    throw new UsageError(`explain takes KIND/NAME (e.g. deployment/reviews-v1), got "${arg}"`);
  }
  return { kind: arg.slice(0, slash), name: arg.slice(slash + 1) };
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function memberStatus(status: Record<string, unknown> | undefined): string {
  if (!status || Object.keys(status).length === 0) return '-';
  const n = (k: string) => (typeof status[k] === 'number' ? (status[k] as number) : 0);
  if ('replicas' in status || 'readyReplicas' in status) {
    return `ready ${n('readyReplicas')}/${n('replicas')}, available ${n('availableReplicas')}`;
  }
  const text = JSON.stringify(status);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

async function workRows(client: Client, binding: ResourceBinding): Promise<WorkRow[]> {
  const r = binding.spec.resource;
  const name = workName(r.kind, r.name, r.namespace ?? '');
  return Promise.all(
    (binding.spec.clusters ?? []).map(async (t): Promise<WorkRow> => {
      const work = await orUndefined(
        client.get<Work>(resources.works, { name, namespace: executionNamespace(t.name) }),
      );
      if (!work)
        return { cluster: t.name, work: `${name} (not created yet)`, applied: '-', health: '-', member: '-' };
      const applied = work.status?.conditions?.find((c) => c.type === 'Applied');
      const manifest = work.status?.manifestStatuses?.[0];
      return {
        cluster: t.name,
        work: `${executionNamespace(t.name)}/${name}`,
        applied: applied
          ? `${applied.status}${applied.status === 'True' ? '' : ` (${applied.reason ?? ''}: ${applied.message ?? ''})`}`
          : 'Unknown',
        health: manifest?.health ?? '-',
        member: memberStatus(manifest?.status),
      };
    }),
  );
}

/** Gathers everything about `KIND/NAME` in `namespace` (default `default` for namespaced kinds). */
export async function gatherExplain(
  client: Client,
  target: string,
  namespace: string | undefined,
): Promise<ExplainData> {
  const { kind: typed, name } = parseTarget(target);
  const resolved = await resolveKind(client, typed);
  const ns = resolved.ref.namespaced ? (namespace ?? 'default') : undefined;
  const what = `${resolved.kind.toLowerCase()}/${name}`;
  const template = await orUndefined(client.get<KubeObject>(resolved.ref, { name, namespace: ns }));
  if (!template) {
    throw new CliError(`${what} not found${ns ? ` in namespace ${ns}` : ''}`);
  }
  const pps = ns
    ? (await client.list<PropagationPolicy>(resources.propagationpolicies, { namespace: ns })).items
    : [];
  const cpps = (await client.list<PropagationPolicy>(resources.clusterpropagationpolicies)).items;
  const matches: PolicyMatch[] = [
    ...pps.map((policy) => ({
      policy,
      cluster: false,
      implicit: selectorsPriority(template, policy.spec?.resourceSelectors),
    })),
    ...cpps.map((policy) => ({
      policy,
      cluster: true,
      implicit: selectorsPriority(template, policy.spec?.resourceSelectors),
    })),
  ].filter((m) => m.implicit > 0);
  const find = (p: PropagationPolicy | undefined) => matches.find((m) => m.policy === p);
  const best = find(bestPolicy(template, pps)) ?? find(bestPolicy(template, cpps));
  const claim = claimOf(template.metadata);
  const claimedBy =
    claim === undefined
      ? undefined
      : matches.find((m) =>
          claim.kind === 'pp'
            ? !m.cluster &&
              m.policy.metadata.name === claim.name &&
              m.policy.metadata.namespace === claim.namespace
            : m.cluster && m.policy.metadata.name === claim.name,
        );
  const claimKeys =
    claim?.kind === 'cpp'
      ? [LABELS.cppPermanentId, ANNOTATIONS.cppName]
      : [LABELS.ppPermanentId, ANNOTATIONS.ppNamespace, ANNOTATIONS.ppName];
  const meta = { ...template.metadata.labels, ...template.metadata.annotations };
  const claimMeta = claim
    ? claimKeys.filter((k) => meta[k] !== undefined).map((k): [string, string] => [k, meta[k] ?? ''])
    : [];

  const binding = await orUndefined(
    client.get<ResourceBinding>(ns ? resources.resourcebindings : resources.clusterresourcebindings, {
      name: bindingName(resolved.kind, name),
      namespace: ns,
    }),
  );
  const decision: ExplainData['decision'] = decodeDecision(
    binding?.metadata.annotations?.[DECISION_ANNOTATION],
  );
  return {
    what,
    namespace: ns,
    claimedBy,
    claimMeta,
    best,
    matches,
    binding,
    decision,
    works: binding ? await workRows(client, binding) : [],
  };
}

/** Runs `explain` and returns its lines. */
export async function runExplain(
  client: Client,
  target: string,
  namespace: string | undefined,
): Promise<string[]> {
  return renderExplain(await gatherExplain(client, target, namespace));
}
