/**
 * The scheduler controller: watches ResourceBindings, ClusterResourceBindings and Clusters,
 * and for every binding it owns runs the pure core when §3's triggers say so, writing the result
 * (`write.ts`), the decision annotation and ScheduleBindingSucceed/ScheduleBindingFailed Events.
 * NoClusterFit is not retried (a binding or cluster event brings it back); Unschedulable and
 * errors are retried with the queue's rate-limited back-off.
 */
import type { Logger } from 'pino';
import type { Cluster, ResourceBinding } from '../api/karmada/types.ts';
import { type Client, type ResourceRef, resources } from '../client/index.ts';
import { EventRecorder } from '../controller/events.ts';
import { Controller, type Informer, InformerFactory, type Result } from '../controller/index.ts';
import { silentLogger } from '../log/index.ts';
import { affinitiesInForce, clusterMatches, isWorkload } from './plugins/cluster-affinity/index.ts';
import { schedule } from './schedule.ts';
import { canonicalJson, DEFAULT_SCHEDULER_NAME, isResponsible, scheduleTrigger } from './triggers.ts';
import { observeGeneration, SUCCESS_MESSAGE, targetsString, writeResult } from './write.ts';

/** Options for {@link startScheduler}. */
export interface SchedulerOptions {
  client: Client;
  logger?: Logger | undefined;
  /** Bindings with this `spec.schedulerName` (default `default-scheduler`). */
  schedulerName?: string | undefined;
  workers?: number | undefined;
  /** Keep selected clusters that got 0 replicas. */
  enableEmptyWorkloadPropagation?: boolean | undefined;
  /** Back-off for Unschedulable and errors: first delay doubling to a cap; default 100 ms to 30 s. */
  backoff?: { baseMs?: number; maxMs?: number } | undefined;
}

/** A running scheduler. */
export interface RunningScheduler {
  /** Resolves once informers have synced and workers run. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

const RB = 'rb:';
const CRB = 'crb:';

function keyOf(b: ResourceBinding): string {
  const ns = b.metadata.namespace;
  return ns ? `${RB}${ns}/${b.metadata.name}` : `${CRB}${b.metadata.name}`;
}

/**
 * What a binding's scheduling result depends on besides the clusters: its spec without the
 * scheduler's own output (`clusters`) and without the template's resourceVersion (which the
 * detector bumps on every template edit), plus the observed affinity term.
 */
function scheduleInput(b: ResourceBinding): string {
  const { clusters: _c, resource, ...rest } = b.spec;
  const { resourceVersion: _rv, ...identity } = resource;
  return canonicalJson([rest, identity, b.status?.schedulerObservingAffinityName]);
}

function fitRelevant(c: Cluster): string {
  return canonicalJson([
    c.metadata.labels ?? {},
    c.metadata.generation,
    c.spec,
    c.status?.apiEnablements,
    c.metadata.deletionTimestamp,
  ]);
}

/**
 * Starts the scheduler over `client`: informers, work queue and workers. Returns at once;
 * `ready` resolves after sync; `stop()` ends watches and workers.
 */
export function startScheduler(options: SchedulerOptions): RunningScheduler {
  const { client } = options;
  const log = (options.logger ?? silentLogger()).child({ component: 'karmada-scheduler' });
  const schedulerName = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const factory = new InformerFactory({ client, logger: log });
  const rbs = factory.informer<ResourceBinding>(resources.resourcebindings);
  const crbs = factory.informer<ResourceBinding>(resources.clusterresourcebindings);
  const clusters = factory.informer<Cluster>(resources.clusters);
  const recorder = new EventRecorder({ client, component: 'karmada-scheduler', logger: log });
  // Bumped on every fit-relevant cluster change; with `lastPass` it tells a pass that can only
  // reproduce the last result (e.g. the update event of the scheduler's own write, which bumps
  // metadata.generation) from one whose inputs moved.
  let clusterEpoch = 0;
  const lastPass = new Map<string, { input: string; epoch: number; clusters: string }>();

  const controller: Controller = new Controller({
    name: 'karmada-scheduler',
    workers: options.workers ?? 2,
    informers: [rbs, crbs, clusters],
    logger: log,
    rateLimiter: {
      baseDelayMs: options.backoff?.baseMs ?? 100,
      maxDelayMs: options.backoff?.maxMs ?? 30_000,
    },
    reconcile: (key) => reconcile(key),
  });

  const enqueueBinding = (b: ResourceBinding) => {
    if (isResponsible(b, schedulerName)) controller.enqueue(keyOf(b));
  };
  for (const inf of [rbs, crbs] as Informer<ResourceBinding>[]) {
    inf.addHandlers({
      onDelete: (b) => lastPass.delete(keyOf(b)),
      onAdd: enqueueBinding,
      onUpdate: (old, cur) => {
        if (
          old.metadata.generation !== cur.metadata.generation ||
          isResponsible(old, schedulerName) !== isResponsible(cur, schedulerName)
        )
          enqueueBinding(cur);
      },
    });
  }
  const affected = (c: Cluster) => {
    clusterEpoch++;
    for (const b of [...rbs.store.list(), ...crbs.store.list()]) {
      if (!isResponsible(b, schedulerName)) continue;
      const placement = b.spec.placement ?? {};
      const affinities = affinitiesInForce(
        placement,
        b.status?.schedulerObservingAffinityName,
        isWorkload(b.spec),
      );
      if (!affinities || affinities.some((a) => clusterMatches(c, a))) controller.enqueue(keyOf(b));
    }
  };
  clusters.addHandlers({
    onAdd: affected,
    onUpdate: (old, cur) => {
      if (fitRelevant(old) === fitRelevant(cur)) return;
      affected(old);
      affected(cur);
    },
    onDelete: affected,
  });

  async function reconcile(key: string): Promise<Result | undefined> {
    const cluster = key.startsWith(CRB);
    const ref: ResourceRef = cluster ? resources.clusterresourcebindings : resources.resourcebindings;
    const binding = (cluster ? crbs : rbs).store.get(key.slice(cluster ? CRB.length : RB.length));
    if (!binding || !isResponsible(binding, schedulerName)) return undefined;
    const snapshot = clusters.store.list();
    const deleting = new Set(
      snapshot.filter((c) => c.metadata.deletionTimestamp).map((c) => c.metadata.name ?? ''),
    );
    const trigger = scheduleTrigger(binding, deleting);
    const last = lastPass.get(key);
    // Duplicated (and replica-less) bindings reschedule on every pass (§3); a pass whose inputs,
    // clusters and current targets are those of the last successful one would only repeat it.
    const repeat =
      trigger === 'AlwaysReschedule' &&
      last !== undefined &&
      last.input === scheduleInput(binding) &&
      last.epoch === clusterEpoch &&
      last.clusters === canonicalJson(binding.spec.clusters ?? []);
    if (!trigger || repeat) {
      await observeGeneration(client, ref, binding);
      return undefined;
    }
    const epoch = clusterEpoch;
    const result = schedule({
      spec: binding.spec,
      status: binding.status,
      clusters: snapshot,
      enableEmptyWorkloadPropagation: options.enableEmptyWorkloadPropagation,
    });
    log.info({ key, trigger, result: result.kind }, 'scheduled binding');
    const written = await writeResult(client, ref, binding, result, new Date().toISOString());
    if (result.kind === 'Success') {
      lastPass.set(key, {
        input: scheduleInput(written),
        epoch,
        clusters: canonicalJson(written.spec.clusters ?? []),
      });
    } else {
      lastPass.delete(key);
    }
    const r = binding.spec.resource;
    const template = {
      apiVersion: r.apiVersion,
      kind: r.kind,
      metadata: {
        name: r.name,
        ...(r.namespace ? { namespace: r.namespace } : {}),
        ...(r.uid ? { uid: r.uid } : {}),
      },
    };
    const event =
      result.kind === 'Success'
        ? {
            type: 'Normal' as const,
            reason: 'ScheduleBindingSucceed',
            message: `${SUCCESS_MESSAGE} Result: {${targetsString(result.clusters)}}`,
          }
        : { type: 'Warning' as const, reason: 'ScheduleBindingFailed', message: result.reason };
    recorder.event(written, event);
    recorder.event(template, event);
    if (result.kind === 'Unschedulable' || result.kind === 'Error') return { requeue: true };
    return undefined;
  }

  factory.start();
  const ready = controller.start();
  ready.catch(() => {});
  return {
    ready,
    async stop() {
      await controller.stop();
      await factory.stop();
      await recorder.flush();
    },
  };
}
