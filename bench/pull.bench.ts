/**
 * Pull-mode propagation end to end: N simulated local member clusters (memory stores, one
 * process), each registered by its own agent (its own client and informers: its Cluster, its
 * execution namespace), against a control plane running every controller. M Deployments, each
 * with its own PropagationPolicy naming 3 clusters, are created as fast as a fixed concurrency
 * allows (burst), then a tenth as many at half the burst's rate (paced). Measured: create
 * returning → the Deployment exists in every chosen member (p50, p99 of each phase; the paced
 * figures are `pull.latency.*`), and sustained fully-propagated Deployments/s. Baseline in the same run: creating the same
 * Deployment directly in a member API server. The agents reach the control plane over plain
 * HTTP without authentication, as the push benchmark's controllers do, so the two compare.
 * Karmada's published resource_distribution p99 (pull, 100 clusters) is printed as text only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningAgent, startAgent } from '../src/agent/index.ts';
import { startApiServer } from '../src/apiserver/index.ts';
import { Client } from '../src/client/client.ts';
import { kubeConfigFromFile, kubeConfigFromUrl } from '../src/client/kubeconfig.ts';
import { resources } from '../src/client/resources.ts';
import { startControlPlaneControllers, waitForClustersReady } from '../src/controlplane/index.ts';
import type { RunningLocalCluster } from '../src/localcluster/index.ts';
import { openStorage } from '../src/storage/index.ts';
import { type Bench, benchLine, loop, percentile } from './lib.ts';
import { startSimulatedClusters } from './simulated-clusters.ts';
import { deployment, policy } from './templates.ts';

const PER_DEPLOYMENT = 3;
const CONCURRENCY = 16;
const KARMADA_PULL_P99_MS = 989;

/** Records when each Deployment name first appears in a member, until aborted. */
function watchMember(c: RunningLocalCluster, seen: Map<string, number[]>, signal: AbortSignal): void {
  void (async () => {
    for await (const ev of c.client.watch(resources.deployments, { namespace: 'default', signal })) {
      if (ev.type !== 'ADDED') continue;
      const name = ev.object.metadata.name ?? '';
      seen.set(name, [...(seen.get(name) ?? []), performance.now()]);
    }
  })().catch(() => {});
}

/** What one phase measured: create→present latency per Deployment and the sustained rate. */
interface Phase {
  latencies: number[];
  /** Deployments/s from the first create to the last arrival. */
  rate: number;
}

/**
 * Creates `count` Deployments from index `first` (each with its own PropagationPolicy naming
 * `PER_DEPLOYMENT` clusters), as fast as `CONCURRENCY` allows or at `perSecond`, and waits until
 * each exists in every chosen member.
 */
async function propagate(
  ctx: { client: Client; n: number; seen: Map<string, number[]> },
  first: number,
  count: number,
  perSecond: number | undefined,
): Promise<Phase> {
  const { client, n, seen } = ctx;
  const createdAt: number[] = new Array(count);
  const startedAt = performance.now();
  const create = async (k: number) => {
    const i = first + k;
    const name = `bench-${i}`;
    const targets = Array.from({ length: Math.min(PER_DEPLOYMENT, n) }, (_, j) => `sim${(i + j) % n}`);
    await client.create(resources.propagationpolicies, policy(name, targets));
    await client.create(resources.deployments, deployment(name));
    createdAt[k] = performance.now();
  };
  if (perSecond === undefined) await loop(count, CONCURRENCY, create);
  else {
    const pending: Promise<void>[] = [];
    for (let k = 0; k < count; k++) {
      const wait = startedAt + (k * 1000) / perSecond - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(create(k));
    }
    await Promise.all(pending);
  }
  const want = Math.min(PER_DEPLOYMENT, n);
  const deadline = Date.now() + Math.max(600_000, count * 500);
  for (let k = 0; k < count; ) {
    if ((seen.get(`bench-${first + k}`)?.length ?? 0) >= want) k++;
    else if (Date.now() > deadline)
      throw new Error(`propagation of ${count} Deployments did not finish in time`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  const arrived = Array.from({ length: count }, (_, k) =>
    Math.max(...(seen.get(`bench-${first + k}`) ?? [0])),
  );
  return {
    latencies: arrived.map((t, k) => t - (createdAt[k] ?? 0)),
    rate: (count / (Math.max(...arrived) - startedAt)) * 1000,
  };
}

/** Runs the benchmark with `n` clusters and `m` Deployments in the burst. */
export async function run(n: number, m: number, log: (l: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-pull-'));
  const storage = await openStorage('memory://');
  const plane = await startApiServer({ storage, port: 0 });
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: plane.url }),
    qps: Number.POSITIVE_INFINITY,
  });
  const members: RunningLocalCluster[] = [];
  const agents: { agent: RunningAgent; client: Client }[] = [];
  const abort = new AbortController();
  let controllers: { stop(): Promise<void> } | undefined;
  try {
    const t0 = performance.now();
    await startSimulatedClusters(n, dir, members);
    controllers = await startControlPlaneControllers({ client, workers: 8 });
    await client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'karmada-cluster' },
    });
    for (let i = 0; i < members.length; i += 10) {
      await Promise.all(
        members.slice(i, i + 10).map(async (c) => {
          // Unlimited, as the push benchmark's controllers; Karmada's agents default to 40 QPS,
          // which a burst of Works and their status writes would queue behind.
          const agentClient = new Client({
            kubeConfig: kubeConfigFromUrl({ server: plane.url }),
            qps: Number.POSITIVE_INFINITY,
          });
          const agent = await startAgent({
            controlPlane: agentClient,
            cluster: c.name,
            memberKubeConfig: kubeConfigFromFile(c.kubeconfigPath),
          });
          agents.push({ agent, client: agentClient });
        }),
      );
    }
    await waitForClustersReady(
      client,
      members.map((c) => c.name),
      180_000,
    );
    log(
      `${n} clusters started and registered by their agents (Ready) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const seen = new Map<string, number[]>();
    for (const c of members) watchMember(c, seen, abort.signal);
    await new Promise((r) => setTimeout(r, 200));

    const cpuBefore = process.cpuUsage();
    const burst = await propagate({ client, n, seen }, 0, m, undefined);
    const cpu = process.cpuUsage(cpuBefore);
    // Paced at half the burst's sustained rate: per-Deployment latency without a backlog, the
    // regime Karmada's figure was measured in (Deployments created at a fixed QPS).
    const pacedCount = Math.max(20, Math.min(200, Math.floor(m / 10)));
    const pace = Math.max(0.5, burst.rate / 2);
    const paced = await propagate({ client, n, seen }, m, pacedCount, pace);

    const direct = members[0] as RunningLocalCluster;
    const base = await loop(Math.min(m, 1000), CONCURRENCY, (i) =>
      direct.client.create(resources.deployments, deployment(`direct-${i}`)),
    );
    const p = percentile;
    benchLine('pull.latency.p50', p(paced.latencies, 0.5), 'ms', {
      baseline: p(base.latencies, 0.5),
      n: pacedCount,
    });
    benchLine('pull.latency.p99', p(paced.latencies, 0.99), 'ms', {
      baseline: p(base.latencies, 0.99),
      n: pacedCount,
    });
    benchLine('pull.burst.latency.p50', p(burst.latencies, 0.5), 'ms', {
      baseline: p(base.latencies, 0.5),
      n: m,
    });
    benchLine('pull.burst.latency.p99', p(burst.latencies, 0.99), 'ms', {
      baseline: p(base.latencies, 0.99),
      n: m,
    });
    benchLine('pull.rate', burst.rate, 'deployments/s', { baseline: base.rate, n: m });
    const want = Math.min(PER_DEPLOYMENT, n);
    log(
      `${n} Pull clusters; burst: ${m} Deployments × ${want} clusters: p50 ${p(burst.latencies, 0.5).toFixed(0)} ms, p99 ${p(burst.latencies, 0.99).toFixed(0)} ms (mostly waiting in the backlog), ${burst.rate.toFixed(1)} deployments/s fully propagated`,
    );
    log(
      `paced at ${pace.toFixed(1)}/s: ${pacedCount} Deployments: p50 ${p(paced.latencies, 0.5).toFixed(0)} ms, p99 ${p(paced.latencies, 0.99).toFixed(0)} ms`,
    );
    log(
      `CPU of this process (control plane, controllers, ${n} agents and members) per Deployment: ${((cpu.user + cpu.system) / 1000 / m).toFixed(1)} ms`,
    );
    log(
      `direct create in a member: p50 ${p(base.latencies, 0.5).toFixed(1)} ms, p99 ${p(base.latencies, 0.99).toFixed(1)} ms`,
    );
    log(
      `for reference only (not measured here): Karmada v1.3 resource_distribution p99 ${KARMADA_PULL_P99_MS} ms (pull, 100 clusters, 64 vCPU, paced creation); ours paced p99 ${p(paced.latencies, 0.99).toFixed(0)} ms, burst p99 ${p(burst.latencies, 0.99).toFixed(0)} ms`,
    );
  } finally {
    abort.abort();
    await Promise.all(
      agents.map(async ({ agent, client: c }) => {
        await agent.stop();
        await c.close();
      }),
    );
    await controllers?.stop();
    await client.close();
    await Promise.all(members.map((c) => c.stop()));
    await plane.close();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const bench: Bench = {
  name: 'pull',
  description:
    'template → Deployment in every chosen member cluster, through detector, scheduler, binding and each member’s agent (Pull)',
  async run(ctx) {
    if (ctx.quick) await run(10, 200, ctx.log);
    else await run(100, 5000, ctx.log);
  },
};

export default bench;
