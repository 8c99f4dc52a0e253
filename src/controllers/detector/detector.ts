/**
 * ResourceDetector: matches every resource template to at most one (Cluster)PropagationPolicy
 * and keeps its binding in step (Karmada §2). Templates are reconciled from a work queue keyed by
 * `apiVersion|kind|namespace|name`; policies from a second queue (`pp|ns/name`, `cpp|name`) that
 * adds the policy finalizers, strips claims of unmatched templates, re-enqueues bound and
 * waiting templates, and on deletion strips claims (bindings first) before releasing the policy.
 */
import type { Logger } from 'pino';
import { LABELS } from '../../api/karmada/names.ts';
import type { PropagationPolicy, ResourceBinding } from '../../api/karmada/types.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Client } from '../../client/client.ts';
import { resources } from '../../client/resources.ts';
import type { EventRecorder } from '../../controller/events.ts';
import type { InformerFactory } from '../../controller/factory.ts';
import type { Informer } from '../../controller/informer.ts';
import { Controller, type Result } from '../../controller/reconciler.ts';
import { objectKey } from '../../controller/store.ts';
import { silentLogger } from '../../log/index.ts';
import { selectorsPriority } from '../../overrides/index.ts';
import { applyPolicy, cleanupClaim, getOrUndefined } from './apply.ts';
import { DEFAULT_SKIPPED_NAMESPACES, isSkippedObject, specificationChanged } from './filter.ts';
import { bestPolicy, claimOf, policySelectorKeys, templateSelectorKeys } from './policy.ts';
import { reconcilePolicy } from './policy-handler.ts';
import { discoverPropagatable, parseTemplateKey, TemplateInformers, templateKey } from './templates.ts';

const BY_SELECTOR = 'selector';
const BY_CLAIM = 'claim';

/** Index keys of a binding's claims: `pp=<id>` and `cpp=<id>`. */
function claimKeys(b: ResourceBinding): string[] {
  const l = b.metadata.labels ?? {};
  const out: string[] = [];
  if (l[LABELS.ppPermanentId]) out.push(`pp=${l[LABELS.ppPermanentId]}`);
  if (l[LABELS.cppPermanentId]) out.push(`cpp=${l[LABELS.cppPermanentId]}`);
  return out;
}

/** Options for {@link ResourceDetector}. */
export interface ResourceDetectorOptions {
  client: Client;
  /** The shared factory; the caller starts it. */
  factory: InformerFactory;
  logger?: Logger | undefined;
  events?: EventRecorder | undefined;
  /** How often discovery is re-run for new resource types; default 30 s. */
  discoveryIntervalMs?: number | undefined;
  /** Concurrent template reconciles; default 5. */
  workers?: number | undefined;
  /** Namespaces to skip (anchored); default `kube-.*`. */
  skippedNamespaces?: readonly RegExp[] | undefined;
}

/** The resource detector; `start` once, `stop` on shutdown. */
export class ResourceDetector {
  /** The template queue. */
  readonly templates: Controller;
  /** The policy queue. */
  readonly policies: Controller;
  /** Templates no policy matched yet, by template key. */
  readonly waiting = new Set<string>();
  readonly pp: Informer<PropagationPolicy>;
  readonly cpp: Informer<PropagationPolicy>;
  /** ResourceBindings and ClusterResourceBindings, indexed by the policy claims they carry. */
  readonly rbs: Informer<ResourceBinding>;
  readonly crbs: Informer<ResourceBinding>;
  readonly informers: TemplateInformers;
  readonly client: Client;
  readonly events: EventRecorder | undefined;
  readonly #opts: ResourceDetectorOptions;
  readonly #log: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ResourceDetectorOptions) {
    this.#opts = options;
    this.client = options.client;
    this.events = options.events;
    this.#log = (options.logger ?? silentLogger()).child({ component: 'resource-detector' });
    this.pp = options.factory.informer<PropagationPolicy>(resources.propagationpolicies);
    this.cpp = options.factory.informer<PropagationPolicy>(resources.clusterpropagationpolicies);
    for (const i of [this.pp, this.cpp]) i.addIndex(BY_SELECTOR, policySelectorKeys);
    this.rbs = options.factory.informer<ResourceBinding>(resources.resourcebindings);
    this.crbs = options.factory.informer<ResourceBinding>(resources.clusterresourcebindings);
    for (const i of [this.rbs, this.crbs]) i.addIndex(BY_CLAIM, claimKeys);
    const informers = [this.pp, this.cpp, this.rbs, this.crbs];
    this.informers = new TemplateInformers(options.factory, this.#log);
    const logger = options.logger;
    this.templates = new Controller({
      name: 'resource-detector',
      reconcile: (key) => this.#reconcileTemplate(key),
      workers: options.workers ?? 5,
      informers,
      ...(logger ? { logger } : {}),
    });
    this.policies = new Controller({
      name: 'propagation-policy',
      reconcile: (key) => reconcilePolicy(this, key),
      informers,
      ...(logger ? { logger } : {}),
    });
    this.policies.watch(this.pp, (p) => [`pp|${objectKey(p)}`]);
    this.policies.watch(this.cpp, (p) => [`cpp|${objectKey(p)}`]);
  }

  /** Runs discovery once, then every interval; starts both queues. Resolves once they run. */
  async start(): Promise<void> {
    await this.discover();
    this.#timer = setInterval(() => {
      this.discover().catch((err) => this.#log.warn({ err }, 'discovery failed'));
    }, this.#opts.discoveryIntervalMs ?? 30_000);
    this.#timer.unref?.();
    await Promise.all([this.templates.start(), this.policies.start()]);
  }

  /** Stops discovery and both queues. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all([this.templates.stop(), this.policies.stop()]);
  }

  /** Discovers propagatable resources and watches any new ones. */
  async discover(): Promise<void> {
    const refs = await discoverPropagatable(this.client);
    const skipped = this.#opts.skippedNamespaces ?? DEFAULT_SKIPPED_NAMESPACES;
    this.informers.register(refs, (informer) => {
      const push = (obj: KubeObject) => {
        if (!isSkippedObject(obj, skipped)) this.templates.enqueue(templateKey(obj));
      };
      informer.addHandlers({
        onAdd: push,
        onUpdate: (oldObj, newObj) => {
          if (oldObj === newObj || specificationChanged(oldObj, newObj)) push(newObj);
        },
        onDelete: push,
      });
    });
  }

  /** The bindings (of both kinds for a CPP) carrying the claim of policy `id`, from the cache. */
  boundBindings(id: string, cluster: boolean): ResourceBinding[] {
    if (!cluster) return this.rbs.store.byIndex(BY_CLAIM, `pp=${id}`);
    return [
      ...this.rbs.store.byIndex(BY_CLAIM, `cpp=${id}`),
      ...this.crbs.store.byIndex(BY_CLAIM, `cpp=${id}`),
    ];
  }

  /** The cached binding `key` (`ns/name` or `name`) of a template's scope. */
  cachedBinding(clusterScoped: boolean, key: string): ResourceBinding | undefined {
    return (clusterScoped ? this.crbs : this.rbs).store.get(key);
  }

  /** The policies of one kind that can match `template` (by selector index); order unspecified. */
  #candidates(informer: Informer<PropagationPolicy>, template: KubeObject): PropagationPolicy[] {
    const [named, kinded] = templateSelectorKeys(template);
    const out = new Set(informer.store.byIndex(BY_SELECTOR, named));
    for (const p of informer.store.byIndex(BY_SELECTOR, kinded)) out.add(p);
    return [...out];
  }

  /** The template for a key: from the cache, else from the server; undefined when gone. */
  async readTemplate(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined> {
    const entry = this.informers.get(apiVersion, kind);
    if (!entry) return undefined;
    const cached = entry.informer.store.get(namespace ? `${namespace}/${name}` : name);
    if (cached) return cached;
    return getOrUndefined(this.client, entry.ref, { name, namespace: namespace || undefined });
  }

  async #reconcileTemplate(key: string): Promise<Result | undefined> {
    const k = parseTemplateKey(key);
    const entry = this.informers.get(k.apiVersion, k.kind);
    const obj = await this.readTemplate(k.apiVersion, k.kind, k.namespace, k.name);
    if (!entry || !obj || obj.metadata.deletionTimestamp) {
      this.waiting.delete(key);
      return undefined;
    }
    if (obj.metadata.labels?.[LABELS.claimedBy]) {
      this.waiting.delete(key);
      return undefined;
    }
    if (isSkippedObject(obj, this.#opts.skippedNamespaces ?? DEFAULT_SKIPPED_NAMESPACES)) return undefined;
    const claim = claimOf(obj.metadata);
    if (claim) {
      const cluster = claim.kind === 'cpp';
      const pkey = claim.kind === 'pp' ? `${claim.namespace}/${claim.name}` : claim.name;
      const informer = cluster ? this.cpp : this.pp;
      const policy =
        informer.store.get(pkey) ??
        (await getOrUndefined<PropagationPolicy>(this.client, informer.resource, {
          name: claim.name,
          namespace: claim.kind === 'pp' ? claim.namespace : undefined,
        }));
      if (!policy) {
        await cleanupClaim(this, entry.ref, { ...k, namespace: k.namespace || undefined }, claim.id, cluster);
        return undefined;
      }
      if (policy.metadata.deletionTimestamp)
        throw new Error(`${claim.kind === 'pp' ? 'policy' : 'cluster policy'}(${pkey}) is being deleted`);
      if (selectorsPriority(obj, policy.spec?.resourceSelectors) === 0) return undefined;
      await this.#checkDependentOverrides(policy, cluster);
      await applyPolicy(this, entry.ref, obj, policy, cluster);
      return undefined;
    }
    const ns = obj.metadata.namespace ?? '';
    const pp = ns
      ? bestPolicy(
          obj,
          this.#candidates(this.pp, obj).filter((p) => p.metadata.namespace === ns),
        )
      : undefined;
    const chosen = pp ? { policy: pp, cluster: false } : undefined;
    const cpp = chosen ? undefined : bestPolicy(obj, this.#candidates(this.cpp, obj));
    const match = chosen ?? (cpp ? { policy: cpp, cluster: true } : undefined);
    if (match) {
      await this.#checkDependentOverrides(match.policy, match.cluster);
      this.waiting.delete(key);
      await applyPolicy(this, entry.ref, obj, match.policy, match.cluster);
      return undefined;
    }
    if (this.waiting.has(key)) return undefined;
    // Retried once, in case the template and its policy arrive together (karmada#1195).
    this.waiting.add(key);
    return { requeue: true };
  }

  async #checkDependentOverrides(policy: PropagationPolicy, cluster: boolean): Promise<void> {
    for (const name of policy.spec?.dependentOverrides ?? []) {
      const ref = cluster ? resources.clusteroverridepolicies : resources.overridepolicies;
      const found = await getOrUndefined(this.client, ref, {
        name,
        namespace: cluster ? undefined : policy.metadata.namespace,
      });
      if (!found) throw new Error('waiting for dependent overrides');
    }
  }
}
