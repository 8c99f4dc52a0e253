/**
 * Policy reconciliation for the resource detector (`ReconcilePropagationPolicy` and
 * `HandlePropagationPolicyCreationOrUpdate` in K:pkg/detector): finalizer upkeep, claim cleanup
 * on deletion (bindings first, then templates), un-claiming templates the selectors no longer
 * match, and re-enqueuing bound and waiting templates.
 */
import { FINALIZERS, LABELS } from '../../api/karmada/names.ts';
import type { PropagationPolicy, ResourceBinding } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { resources } from '../../client/resources.ts';
import type { Controller } from '../../controller/reconciler.ts';
import type { ReadonlyStore } from '../../controller/store.ts';
import { selectorsPriority } from '../../overrides/index.ts';
import { cleanupClaim, stripTemplateClaim } from './apply.ts';
import { stripClaim } from './policy.ts';
import { parseTemplateKey, type TemplateInformers, templateKey } from './templates.ts';

/** The detector state a policy reconcile uses. */
export interface PolicyHandlerContext {
  client: Client;
  templates: Controller;
  waiting: Set<string>;
  informers: TemplateInformers;
  pp: { store: ReadonlyStore<PropagationPolicy> };
  cpp: { store: ReadonlyStore<PropagationPolicy> };
  /** The cached bindings carrying policy `id`'s claim (both kinds for a CPP). */
  boundBindings(id: string, cluster: boolean): ResourceBinding[];
  readTemplate(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined>;
}

/** Every cached template carrying the claim id label `id`. */
function claimedTemplates(ctx: PolicyHandlerContext, id: string, cluster: boolean): KubeObject[] {
  const idLabel = cluster ? LABELS.cppPermanentId : LABELS.ppPermanentId;
  return ctx.informers
    .all()
    .flatMap((i) => i.store.list().filter((o) => o.metadata.labels?.[idLabel] === id));
}

async function handleDeletion(ctx: PolicyHandlerContext, id: string, cluster: boolean): Promise<void> {
  for (const b of ctx.boundBindings(id, cluster)) {
    const r = b.spec.resource;
    const entry = ctx.informers.get(r.apiVersion, r.kind);
    if (!entry) continue;
    await cleanupClaim(ctx, entry.ref, r, id, cluster);
  }
  for (const t of claimedTemplates(ctx, id, cluster)) {
    const entry = ctx.informers.get(t.apiVersion, t.kind);
    if (entry)
      await stripTemplateClaim(
        ctx,
        entry.ref,
        { namespace: t.metadata.namespace, name: t.metadata.name ?? '' },
        id,
        cluster,
      );
  }
}

async function handleUnmatched(
  ctx: PolicyHandlerContext,
  policy: PropagationPolicy,
  id: string,
  cluster: boolean,
): Promise<void> {
  const selectors = policy.spec?.resourceSelectors ?? [];
  for (const b of ctx.boundBindings(id, cluster)) {
    const r = b.spec.resource;
    const entry = ctx.informers.get(r.apiVersion, r.kind);
    const template = await ctx.readTemplate(r.apiVersion, r.kind, r.namespace ?? '', r.name);
    if (!entry || !template) continue;
    if (selectorsPriority(template, selectors) > 0) {
      ctx.templates.enqueue(templateKey(template));
      continue;
    }
    // Template first, then binding, as Karmada's cleanPPUnmatchedRBs does.
    await stripTemplateClaim(ctx, entry.ref, { namespace: r.namespace, name: r.name }, id, cluster);
    const bref = b.metadata.namespace ? resources.resourcebindings : resources.clusterresourcebindings;
    const copy = structuredClone(b);
    if (stripClaim(copy.metadata, cluster)) await ctx.client.update(bref, copy);
  }
}

function enqueueWaiting(ctx: PolicyHandlerContext, policy: PropagationPolicy, cluster: boolean): void {
  for (const key of [...ctx.waiting]) {
    const k = parseTemplateKey(key);
    if (!cluster && k.namespace !== policy.metadata.namespace) continue;
    const entry = ctx.informers.get(k.apiVersion, k.kind);
    const t = entry?.informer.store.get(k.namespace ? `${k.namespace}/${k.name}` : k.name);
    if (!t || selectorsPriority(t, policy.spec?.resourceSelectors) === 0) continue;
    ctx.waiting.delete(key);
    ctx.templates.enqueue(key);
  }
}

/**
 * Reconciles one policy key (`pp|ns/name` or `cpp|name`). Throws on write failures so the key
 * is retried; claim cleanup is idempotent.
 */
export async function reconcilePolicy(ctx: PolicyHandlerContext, key: string): Promise<void> {
  const cluster = key.startsWith('cpp|');
  const store = cluster ? ctx.cpp.store : ctx.pp.store;
  const ref = cluster ? resources.clusterpropagationpolicies : resources.propagationpolicies;
  const policy = store.get(key.slice(key.indexOf('|') + 1));
  if (!policy) return;
  const finalizer = cluster ? FINALIZERS.clusterPropagationPolicy : FINALIZERS.propagationPolicy;
  const id = policy.metadata.labels?.[cluster ? LABELS.cppPermanentId : LABELS.ppPermanentId] ?? '';
  const finalizers = policy.metadata.finalizers ?? [];
  if (policy.metadata.deletionTimestamp) {
    if (!finalizers.includes(finalizer)) return;
    if (id) await handleDeletion(ctx, id, cluster);
    const copy = structuredClone(policy);
    copy.metadata.finalizers = finalizers.filter((f) => f !== finalizer);
    await ctx.client.update(ref, copy);
    return;
  }
  if (!finalizers.includes(finalizer)) {
    const copy = structuredClone(policy);
    copy.metadata.finalizers = [...finalizers, finalizer];
    await ctx.client.update(ref, copy);
  }
  if (id) await handleUnmatched(ctx, policy, id, cluster);
  enqueueWaiting(ctx, policy, cluster);
}
