/**
 * Propagation end to end: N simulated local member clusters (memory stores, one process) joined
 * in Push mode to a control plane running every controller (detector, binding, scheduler,
 * execution, status); M Deployments, each with its own PropagationPolicy naming 3 clusters, are
 * created at a fixed concurrency. Measured: create returning → the Deployment exists in every
 * chosen member (p50, p99), sustained fully-propagated Deployments/s, and bindings scheduled/s.
 * Baseline in the same run: creating the same Deployment directly in a member API server.
 * Karmada's published resource_distribution p99 (push, 100 clusters) is printed as text only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceBinding } from '../src/api/karmada/types.ts';
import type { KubeObject } from '../src/api/meta.ts';
import { startApiServer } from '../src/apiserver/index.ts';
import { Client } from '../src/client/client.ts';
import { kubeConfigFromFile, kubeConfigFromUrl } from '../src/client/kubeconfig.ts';
import { resources } from '../src/client/resources.ts';
import {
  ensureJoined,
  startControlPlaneControllers,
  waitForClustersReady,
} from '../src/controlplane/index.ts';
import type { RunningLocalCluster } from '../src/localcluster/index.ts';
import { openStorage } from '../src/storage/index.ts';
import { type Bench, benchLine, loop, percentile } from './lib.ts';
import { startSimulatedClusters } from './simulated-clusters.ts';

const PER_DEPLOYMENT = 3;
const CONCURRENCY = 16;
const KARMADA_P99_MS = 1298;

function deployment(name: string) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'example.com/bench:1' }] },
      },
    },
  };
}

function policy(name: string, clusters: string[]) {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name, namespace: 'default' },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }],
      placement: { clusterAffinity: { clusterNames: clusters } },
    },
  };
}

/**
 * The control plane's request counts by `VERB resource[/subresource]`, from its Prometheus
 * `apiserver_request_total` (watches excluded), largest first.
 */
async function requestCounts(url: string): Promise<[string, number][]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    if (labels.verb === 'WATCH' || !labels.resource) continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** Records when each Deployment name first appears in a member, until aborted. */
function watchMember(
  c: RunningLocalCluster,
  seen: Map<string, number[]>,
  signal: AbortSignal,
): Promise<void> {
  return (async () => {
    for await (const ev of c.client.watch(resources.deployments, { namespace: 'default', signal })) {
      if (ev.type !== 'ADDED') continue;
      const name = ev.object.metadata.name ?? '';
      const list = seen.get(name) ?? [];
      list.push(performance.now());
      seen.set(name, list);
    }
  })().catch(() => {});
}

async function run(n: number, m: number, log: (l: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-prop-'));
  const storage = await openStorage('memory://');
  const plane = await startApiServer({ storage, port: 0 });
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: plane.url }),
    qps: Number.POSITIVE_INFINITY,
  });
  const members: RunningLocalCluster[] = [];
  const abort = new AbortController();
  let controllers: { stop(): Promise<void> } | undefined;
  try {
    const t0 = performance.now();
    await startSimulatedClusters(n, dir, members);
    controllers = await startControlPlaneControllers({ client, workers: 8 });
    for (const c of members) {
      await ensureJoined({
        controlPlane: client,
        name: c.name,
        memberKubeConfig: kubeConfigFromFile(c.kubeconfigPath),
        mode: 'Push',
      });
    }
    await waitForClustersReady(
      client,
      members.map((c) => c.name),
      120_000,
    );
    log(`${n} clusters started and joined (Ready) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const seen = new Map<string, number[]>();
    for (const c of members) void watchMember(c, seen, abort.signal);
    const scheduledAt = new Map<string, number>();
    void (async () => {
      for await (const ev of client.watch<ResourceBinding>(resources.resourcebindings, {
        namespace: 'default',
        signal: abort.signal,
      })) {
        if ((ev.object.spec?.clusters?.length ?? 0) > 0 && !scheduledAt.has(ev.object.metadata.name ?? '')) {
          scheduledAt.set(ev.object.metadata.name ?? '', performance.now());
        }
      }
    })().catch(() => {});
    await new Promise((r) => setTimeout(r, 200));

    const createdAt: number[] = new Array(m);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await loop(m, CONCURRENCY, async (i) => {
      const name = `bench-${i}`;
      const targets = Array.from({ length: Math.min(PER_DEPLOYMENT, n) }, (_, k) => `sim${(i + k) % n}`);
      await client.create(resources.propagationpolicies, policy(name, targets));
      await client.create(resources.deployments, deployment(name));
      createdAt[i] = performance.now();
    });
    const want = Math.min(PER_DEPLOYMENT, n);
    const deadline = Date.now() + 600_000;
    while ([...Array(m).keys()].some((i) => (seen.get(`bench-${i}`)?.length ?? 0) < want)) {
      if (Date.now() > deadline) throw new Error('propagation did not finish in 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const latencies = Array.from(
      { length: m },
      (_, i) => Math.max(...(seen.get(`bench-${i}`) ?? [0])) - (createdAt[i] ?? 0),
    );
    const cpu = process.cpuUsage(cpuBefore);
    const lastSeen = Math.max(...[...seen.values()].flat());
    const rate = (m / (lastSeen - started)) * 1000;
    const lastScheduled = Math.max(...scheduledAt.values());
    const perDeployment = (await requestCounts(plane.url))
      .filter(([, v]) => v / m >= 0.25)
      .map(([k, v]) => `${k} ${(v / m).toFixed(1)}`)
      .join(', ');
    const schedRate = (scheduledAt.size / (lastScheduled - started)) * 1000;

    // Baseline: the same Deployment created directly in a member API server.
    const direct = members[0] as RunningLocalCluster;
    const base = await loop(Math.min(m, 1000), CONCURRENCY, (i) =>
      direct.client.create(resources.deployments, deployment(`direct-${i}`)),
    );

    const tag = `propagation.push.${n}clusters`;
    benchLine(`${tag}.latency.p50`, percentile(latencies, 0.5), 'ms', {
      baseline: percentile(base.latencies, 0.5),
      n: m,
    });
    benchLine(`${tag}.latency.p99`, percentile(latencies, 0.99), 'ms', {
      baseline: percentile(base.latencies, 0.99),
      n: m,
    });
    benchLine(`${tag}.rate`, rate, 'deployments/s', { baseline: base.rate, n: m });
    benchLine(`${tag}.scheduler.rate`, schedRate, 'bindings/s', { n: scheduledAt.size });
    log(
      `${m} Deployments × ${want} clusters: p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms, ${rate.toFixed(1)} deployments/s fully propagated`,
    );
    log(`control-plane requests per Deployment (≥ 0.25): ${perDeployment}`);
    const events = await client.list<KubeObject>(resources.events, { namespace: 'default' });
    const reasons = new Map<string, number>();
    for (const e of events.items) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + (e.count ?? 1));
    log(
      `Events per Deployment: ${[...reasons]
        .sort((a, b) => b[1] - a[1])
        .map(([r, c]) => `${r} ${(c / m).toFixed(1)}`)
        .join(', ')}`,
    );
    log(
      `CPU of this process (control plane, controllers and all members) per Deployment: ${((cpu.user + cpu.system) / 1000 / m).toFixed(1)} ms`,
    );
    log(
      `direct create in a member: p50 ${percentile(base.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(base.latencies, 0.99).toFixed(1)} ms`,
    );
    log(
      `for reference only (not measured here): Karmada v1.3 resource_distribution p99 ${KARMADA_P99_MS} ms (push, 100 clusters, 64 vCPU; different load); ours p99 ${percentile(latencies, 0.99).toFixed(0)} ms`,
    );
  } finally {
    abort.abort();
    await controllers?.stop();
    await client.close();
    await Promise.all(members.map((c) => c.stop()));
    await plane.close();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const bench: Bench = {
  name: 'propagation',
  description:
    'template → Deployment in every chosen member cluster, through detector, scheduler, binding and push execution',
  async run(ctx) {
    if (ctx.quick) await run(10, 200, ctx.log);
    else await run(100, 5000, ctx.log);
  },
};

export default bench;
