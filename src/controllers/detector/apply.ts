/**
 * Applying a policy to one template (`ApplyPolicy` / `ApplyClusterPolicy` in K:pkg/detector):
 * claim the template, then create or update its binding, recording `ApplyPolicySucceed` when the
 * binding changed and `ApplyPolicyFailed` on error. Also the claim cleanup shared by policy
 * deletion and by templates whose claimed policy has gone.
 */
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.ts';
import { bindingName, LABELS } from '../../api/karmada/names.ts';
import type { PropagationPolicy, ResourceBinding } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { type ResourceRef, resources } from '../../client/resources.ts';
import type { EventRecorder } from '../../controller/events.ts';
import { desiredBinding, isClusterScoped } from './binding.ts';
import { applyClaim, stripClaim } from './policy.ts';

/** What applying needs: the client, an optional event recorder and an optional bindings cache. */
export interface ApplyContext {
  client: Client;
  events?: EventRecorder | undefined;
  /**
   * The cached binding `key` (`ns/name` or `name`), from a synced informer. Given, it replaces
   * the GET before each write: a stale copy makes the write fail with Conflict (retried), and a
   * binding missing from a lagging cache is caught by AlreadyExists.
   */
  cachedBinding?(clusterScoped: boolean, key: string): ResourceBinding | undefined;
}

/** The ref of the binding kind for a template's scope. */
export function bindingRefFor(template: Pick<KubeObject, 'metadata'>): ResourceRef {
  return isClusterScoped(template) ? resources.clusterresourcebindings : resources.resourcebindings;
}

/** GETs an object, resolving undefined on NotFound. */
export async function getOrUndefined<T extends KubeObject>(
  client: Client,
  ref: ResourceRef,
  key: { name: string; namespace?: string | undefined },
): Promise<T | undefined> {
  try {
    return await client.get<T>(ref, key);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function policyLabel(policy: PropagationPolicy, cluster: boolean): string {
  return cluster
    ? `cluster policy(${policy.metadata.name})`
    : `policy(${policy.metadata.namespace}/${policy.metadata.name})`;
}

/**
 * Claims `template` (served at `ref`) for `policy` and creates or updates its binding. Throws on
 * any failure (Conflict on a stale template included) after recording `ApplyPolicyFailed`.
 */
export async function applyPolicy(
  ctx: ApplyContext,
  ref: ResourceRef,
  template: KubeObject,
  policy: PropagationPolicy,
  cluster: boolean,
): Promise<void> {
  const label = policyLabel(policy, cluster);
  try {
    let obj = template;
    const claimed = structuredClone(template) as KubeObject;
    if (applyClaim(claimed.metadata, policy, cluster)) obj = await ctx.client.update(ref, claimed);
    const bref = bindingRefFor(obj);
    const key = { name: bindingName(obj.kind, obj.metadata.name ?? ''), namespace: obj.metadata.namespace };
    const clusterScoped = isClusterScoped(obj);
    const cached = ctx.cachedBinding?.(
      clusterScoped,
      key.namespace ? `${key.namespace}/${key.name}` : key.name,
    );
    const existing =
      ctx.cachedBinding !== undefined ? cached : await getOrUndefined<ResourceBinding>(ctx.client, bref, key);
    if (!(await writeBinding(ctx, bref, key, obj, policy, cluster, existing))) return;
    ctx.events?.event(obj, {
      type: 'Normal',
      reason: 'ApplyPolicySucceed',
      message: `Apply ${label} succeed`,
    });
  } catch (err) {
    ctx.events?.event(template, {
      type: 'Warning',
      reason: 'ApplyPolicyFailed',
      message: `Apply ${label} failed: ${(err as Error).message}`,
    });
    throw err;
  }
}

/**
 * Creates or updates the binding of `template` from `existing` (undefined: create). A cached
 * `existing` may lag: AlreadyExists and Conflict are retried once against a fresh GET. True when
 * something was written.
 */
async function writeBinding(
  ctx: ApplyContext,
  bref: ResourceRef,
  key: { name: string; namespace?: string | undefined },
  template: KubeObject,
  policy: PropagationPolicy,
  cluster: boolean,
  existing: ResourceBinding | undefined,
): Promise<boolean> {
  const desired = desiredBinding(template, policy, cluster, existing);
  if (!desired) return false;
  try {
    if (existing) await ctx.client.update(bref, desired);
    else await ctx.client.create(bref, desired);
    return true;
  } catch (err) {
    if (!(existing ? isConflict(err) : isAlreadyExists(err))) throw err;
    const fresh = await getOrUndefined<ResourceBinding>(ctx.client, bref, key);
    if (!fresh) throw err;
    const next = desiredBinding(template, policy, cluster, fresh);
    if (!next) return false;
    await ctx.client.update(bref, next);
    return true;
  }
}

/**
 * Strips one kind of claim (`cluster` = CPP) whose permanent id is `id` from a template's
 * binding, then from the template itself (re-read fresh). NotFound is not an error.
 */
export async function cleanupClaim(
  ctx: ApplyContext,
  ref: ResourceRef,
  target: { apiVersion: string; kind: string; namespace?: string | undefined; name: string },
  id: string,
  cluster: boolean,
): Promise<void> {
  const idLabel = cluster ? LABELS.cppPermanentId : LABELS.ppPermanentId;
  const scope = { metadata: { namespace: target.namespace ?? '' } };
  const bref = bindingRefFor(scope);
  const bkey = { name: bindingName(target.kind, target.name), namespace: target.namespace || undefined };
  const binding = await getOrUndefined<ResourceBinding>(ctx.client, bref, bkey);
  if (binding && binding.metadata.labels?.[idLabel] === id) {
    const copy = structuredClone(binding);
    if (stripClaim(copy.metadata, cluster)) await ctx.client.update(bref, copy);
  }
  await stripTemplateClaim(ctx, ref, target, id, cluster);
}

/** Strips a claim with permanent id `id` from the template (fresh GET); no-op when absent. */
export async function stripTemplateClaim(
  ctx: ApplyContext,
  ref: ResourceRef,
  target: { namespace?: string | undefined; name: string },
  id: string,
  cluster: boolean,
): Promise<void> {
  const idLabel = cluster ? LABELS.cppPermanentId : LABELS.ppPermanentId;
  const tmpl = await getOrUndefined(ctx.client, ref, {
    name: target.name,
    namespace: target.namespace || undefined,
  });
  if (!tmpl || tmpl.metadata.labels?.[idLabel] !== id) return;
  const copy = structuredClone(tmpl) as KubeObject;
  if (stripClaim(copy.metadata, cluster)) await ctx.client.update(ref, copy);
}
