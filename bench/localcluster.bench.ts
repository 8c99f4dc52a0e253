/**
 * Local clusters at scale and pod start latency:
 * - 1, 10 and 100 local clusters on the simulated runtime in one process (memory stores) bring
 *   10,000 pods in total to Ready, one Deployment of 10,000/N replicas per cluster; baseline: the
 *   raw API create throughput of the same 10,000 pods on one API server without controllers.
 * - The process runtime's pod start latency (create → serving HTTP on the pod IP, and create →
 *   Ready), beside spawning the same program directly until it serves.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApiServer } from '../src/apiserver/index.ts';
import { Client } from '../src/client/client.ts';
import { kubeConfigFromUrl } from '../src/client/kubeconfig.ts';
import { resources } from '../src/client/resources.ts';
import { type RunningLocalCluster, startLocalCluster } from '../src/localcluster/index.ts';
import { silentLogger } from '../src/log/index.ts';
import { openStorage } from '../src/storage/index.ts';
import { type Bench, benchLine, loop, percentile } from './lib.ts';
import { startSimulatedClusters } from './simulated-clusters.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = resolve(import.meta.dirname, '..');
const DETAILS = join(ROOT, 'examples/bookinfo/details/main.ts');

function deployment(replicas: number) {
  const labels = { app: 'bench' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'example.com/bench:1' }] },
      },
    },
  };
}

function pod(i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `raw-${i}`, namespace: 'default', labels: { app: 'raw' } },
    spec: { containers: [{ name: 'app', image: 'example.com/bench:1' }] },
  };
}

/** Seconds for `total` pods spread over `n` simulated clusters to become Ready. */
async function scale(n: number, total: number, log: (l: string) => void): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-lc-'));
  const clusters: RunningLocalCluster[] = [];
  try {
    const t0 = performance.now();
    await startSimulatedClusters(n, dir, clusters);
    log(`${n} clusters started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const per = Math.ceil(total / n);
    const started = performance.now();
    await Promise.all(clusters.map((c) => c.client.create(resources.deployments, deployment(per))));
    const pending = new Set(clusters);
    while (pending.size > 0) {
      await sleep(100);
      await Promise.all(
        [...pending].map(async (c) => {
          const d = await c.client.get(resources.deployments, { namespace: 'default', name: 'bench' });
          if ((d.status?.readyReplicas ?? 0) >= per) pending.delete(c);
        }),
      );
    }
    return (performance.now() - started) / 1000;
  } finally {
    await Promise.all(clusters.map((c) => c.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

/** Seconds for creating `total` pods on one API server with nothing else running. */
async function rawCreate(total: number): Promise<number> {
  const storage = await openStorage('memory://');
  const server = await startApiServer({ storage, port: 0 });
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: server.url }),
    qps: Number.POSITIVE_INFINITY,
  });
  try {
    const r = await loop(total, 32, (i) => client.create(resources.pods, pod(i)));
    return r.elapsedMs / 1000;
  } finally {
    await client.close();
    await server.close();
    await storage.close();
  }
}

async function serving(ip: string, port: number): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(`http://${ip}:${port}/health`);
      await res.text();
      return;
    } catch {
      await sleep(5);
    }
  }
}

/** Create → serving and create → Ready for `n` pods started one at a time; direct spawn → serving as baseline. */
async function podStart(n: number): Promise<{ serve: number[]; ready: number[]; direct: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-pod-'));
  const cluster = await startLocalCluster({
    name: 'podstart',
    index: 89,
    stateDir: dir,
    port: 0,
    runtime: 'process',
    storeUrl: 'memory://',
    logger: silentLogger(),
  });
  const serve: number[] = [];
  const ready: number[] = [];
  const direct: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await cluster.client.create(resources.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p${i}`, namespace: 'default' },
        spec: {
          nodeName: cluster.nodeName,
          containers: [
            { name: 'details', image: 'x/examples-bookinfo-details-v1:1', ports: [{ containerPort: 9080 }] },
          ],
        },
      });
      let ip: string | undefined;
      let readyAt: number | undefined;
      while (readyAt === undefined) {
        const p = await cluster.client.get(resources.pods, { namespace: 'default', name: `p${i}` });
        ip ??= p.status?.podIP;
        if (
          p.status?.conditions?.some(
            (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
          )
        )
          readyAt = performance.now();
        else await sleep(5);
      }
      ready.push(readyAt - t0);
      await serving(ip ?? '', 9080);
      serve.push(performance.now() - t0);

      const d0 = performance.now();
      const child = spawn(process.execPath, [DETAILS, '19080'], {
        env: { PATH: process.env.PATH ?? '', POD_IP: '127.0.0.1' },
        stdio: 'ignore',
      });
      await serving('127.0.0.1', 19080);
      direct.push(performance.now() - d0);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { serve, ready, direct };
}

const bench: Bench = {
  name: 'localcluster',
  description: 'simulated clusters bringing pods to Ready; process runtime pod start latency',
  async run({ quick, log }) {
    const total = quick ? 2000 : 10_000;
    const raw = await rawCreate(total);
    log(
      `raw API create of ${total} pods on one server: ${raw.toFixed(2)} s (${Math.round(total / raw)} pods/s)`,
    );
    for (const n of quick ? [1, 10] : [1, 10, 100]) {
      const s = await scale(n, total, log);
      log(
        `${n} simulated clusters: ${total} pods Ready in ${s.toFixed(2)} s (${Math.round(total / s)} pods/s)`,
      );
      benchLine(`localcluster.simulated.${n}clusters.${total}pods`, s, 's', { baseline: raw, n: total });
    }
    const samples = quick ? 5 : 20;
    const { serve, ready, direct } = await podStart(samples);
    for (const q of [0.5, 0.99] as const) {
      const tag = q === 0.5 ? 'p50' : 'p99';
      benchLine(`localcluster.process.pod_start_serving.latency.${tag}`, percentile(serve, q), 'ms', {
        baseline: percentile(direct, q),
        n: samples,
      });
      benchLine(`localcluster.process.pod_start_ready.latency.${tag}`, percentile(ready, q), 'ms', {
        n: samples,
      });
    }
    log('baseline for pod start: spawning the same Bookinfo program directly until it serves HTTP');
  },
};

export default bench;
