/**
 * Propagation end to end: N simulated local member clusters (memory stores, in a process of
 * their own, `propagation-members.ts`, as real members never share the control plane's process)
 * joined in Push mode to a control plane running every controller (detector, binding, scheduler,
 * execution, status); M Deployments, each with its own PropagationPolicy naming 3 clusters, are
 * created at a fixed concurrency (burst), then a tenth as many at half the measured rate
 * (paced). Measured: create returning → the Deployment exists in every chosen member (p50, p99,
 * for both phases), sustained fully-propagated Deployments/s, and bindings scheduled/s; plus, as
 * diagnostics, control-plane requests and Events per Deployment and the CPU per Deployment of
 * the control plane and of the members. Baseline in the same run: creating the same Deployment
 * directly in a member API server. Karmada's published resource_distribution p99 (push, 100
 * clusters) is printed as text only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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
import { openStorage } from '../src/storage/index.ts';
import { type Bench, benchLine, loop, percentile } from './lib.ts';
import { deployment, policy } from './templates.ts';

const PER_DEPLOYMENT = 3;
const CONCURRENCY = 16;
const KARMADA_P99_MS = 1298;

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

/** A member cluster of the bench, served by the members process. */
interface Member {
  name: string;
  kubeconfigPath: string;
  client: Client;
}

/** The members process: `propagation-members.ts` with N simulated clusters; resolves once they serve. */
async function startMembers(n: number, dir: string): Promise<{ child: ChildProcess; members: Member[] }> {
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      join(import.meta.dirname, 'propagation-members.ts'),
      String(n),
      dir,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`members process exited (${code}) before serving`)));
  });
  const parsed = JSON.parse(first) as { members: { name: string; kubeconfig: string }[] };
  const members = parsed.members.map((m) => ({
    name: m.name,
    kubeconfigPath: m.kubeconfig,
    client: new Client({ kubeConfig: kubeConfigFromFile(m.kubeconfig), qps: Number.POSITIVE_INFINITY }),
  }));
  return { child, members };
}

/** CPU (user + system) a child process has used so far, in ms (Linux `/proc`). */
async function childCpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ 100
  } catch {
    return 0;
  }
}

/** Records when each Deployment name first appears in a member, until aborted. */
function watchMember(c: Member, seen: Map<string, number[]>, signal: AbortSignal): Promise<void> {
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

/** What one phase measured: apply→present latency per Deployment and its span. */
interface Phase {
  latencies: number[];
  /** Deployments/s from the first create to the last arrival. */
  rate: number;
  startedAt: number;
}

/**
 * Creates `count` Deployments (each with its own PropagationPolicy naming `PER_DEPLOYMENT`
 * clusters), either as fast as `CONCURRENCY` allows (`perSecond` undefined) or at a fixed rate,
 * and waits until each exists in every chosen member.
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
  if (perSecond === undefined) {
    await loop(count, CONCURRENCY, create);
  } else {
    const pending: Promise<void>[] = [];
    for (let k = 0; k < count; k++) {
      const due = startedAt + (k * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(create(k));
    }
    await Promise.all(pending);
  }
  const want = Math.min(PER_DEPLOYMENT, n);
  const done = (k: number) => (seen.get(`bench-${first + k}`)?.length ?? 0) >= want;
  const deadline = Date.now() + Math.max(600_000, count * 500);
  for (let k = 0; k < count; ) {
    if (done(k)) {
      k++;
      continue;
    }
    if (Date.now() > deadline) throw new Error(`propagation of ${count} Deployments did not finish in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const arrived = Array.from({ length: count }, (_, k) =>
    Math.max(...(seen.get(`bench-${first + k}`) ?? [0])),
  );
  return {
    latencies: arrived.map((t, k) => t - (createdAt[k] ?? 0)),
    rate: (count / (Math.max(...arrived) - startedAt)) * 1000,
    startedAt,
  };
}

async function run(n: number, m: number, log: (l: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-bench-prop-'));
  const storage = await openStorage('memory://');
  const plane = await startApiServer({ storage, port: 0 });
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: plane.url }),
    qps: Number.POSITIVE_INFINITY,
  });
  let members: Member[] = [];
  let child: ChildProcess | undefined;
  const abort = new AbortController();
  let controllers: { stop(): Promise<void> } | undefined;
  try {
    const t0 = performance.now();
    ({ child, members } = await startMembers(n, dir));
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
    // Bindings whose every target reports Healthy: the status pipeline has finished with them.
    const healthy = new Set<string>();
    const want = Math.min(PER_DEPLOYMENT, n);
    void (async () => {
      for await (const ev of client.watch<ResourceBinding>(resources.resourcebindings, {
        namespace: 'default',
        signal: abort.signal,
      })) {
        if ((ev.object.spec?.clusters?.length ?? 0) > 0 && !scheduledAt.has(ev.object.metadata.name ?? '')) {
          scheduledAt.set(ev.object.metadata.name ?? '', performance.now());
        }
        const items = ev.object.status?.aggregatedStatus ?? [];
        if (items.length >= want && items.every((i) => i.health === 'Healthy'))
          healthy.add(ev.object.metadata.name ?? '');
      }
    })().catch(() => {});
    await new Promise((r) => setTimeout(r, 200));

    // Burst: every Deployment at once; the sustained rate, and latency including the backlog.
    const cpuBefore = process.cpuUsage();
    const memberCpuBefore = await childCpuMs(child?.pid);
    const burst = await propagate({ client, n, seen }, 0, m, undefined);
    const cpu = process.cpuUsage(cpuBefore);
    const memberCpu = (await childCpuMs(child?.pid)) - memberCpuBefore;
    const lastScheduled = Math.max(...scheduledAt.values());
    const scheduledCount = scheduledAt.size;
    const schedRate = (scheduledCount / (lastScheduled - burst.startedAt)) * 1000;
    const perDeployment = (await requestCounts(plane.url))
      .filter(([, v]) => v / m >= 0.25)
      .map(([k, v]) => `${k} ${(v / m).toFixed(1)}`)
      .join(', ');
    const events = await client.list<KubeObject>(resources.events, { namespace: 'default' });

    // Paced: at half the sustained rate, so latency is the pipeline's, not the queue's.
    const pacedCount = Math.max(20, Math.min(200, Math.floor(m / 10)));
    const pace = Math.max(0.5, burst.rate / 2);
    // Let the burst's status work drain first (every binding Healthy everywhere), so the paced
    // Deployments do not queue behind it.
    const settleStarted = performance.now();
    const settleBy = Date.now() + Math.max(120_000, m * 100);
    while (healthy.size < m && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 200));
    const settled = performance.now() - settleStarted;
    const settledCount = healthy.size;
    await new Promise((r) => setTimeout(r, 2_000));
    const paced = await propagate({ client, n, seen }, m, pacedCount, pace);

    // Baseline: the same Deployment created directly in a member API server.
    const direct = members[0] as Member;
    const base = await loop(Math.min(m, 1000), CONCURRENCY, (i) =>
      direct.client.create(resources.deployments, deployment(`direct-${i}`)),
    );

    const tag = `propagation.push.${n}clusters`;
    const p = (xs: number[], q: number) => percentile(xs, q);
    benchLine(`${tag}.latency.p50`, p(burst.latencies, 0.5), 'ms', {
      baseline: p(base.latencies, 0.5),
      n: m,
    });
    benchLine(`${tag}.latency.p99`, p(burst.latencies, 0.99), 'ms', {
      baseline: p(base.latencies, 0.99),
      n: m,
    });
    benchLine(`${tag}.rate`, burst.rate, 'deployments/s', { baseline: base.rate, n: m });
    benchLine(`${tag}.scheduler.rate`, schedRate, 'bindings/s', { n: scheduledCount });
    benchLine(`${tag}.paced.latency.p50`, p(paced.latencies, 0.5), 'ms', {
      baseline: p(base.latencies, 0.5),
      n: pacedCount,
    });
    benchLine(`${tag}.paced.latency.p99`, p(paced.latencies, 0.99), 'ms', {
      baseline: p(base.latencies, 0.99),
      n: pacedCount,
    });
    log(
      `burst: ${m} Deployments × ${want} clusters: p50 ${p(burst.latencies, 0.5).toFixed(0)} ms, p99 ${p(burst.latencies, 0.99).toFixed(0)} ms (mostly waiting in the backlog), ${burst.rate.toFixed(1)} deployments/s fully propagated, scheduler ${schedRate.toFixed(1)} bindings/s`,
    );
    log(
      `paced at ${pace.toFixed(1)}/s: ${pacedCount} Deployments: p50 ${p(paced.latencies, 0.5).toFixed(0)} ms, p99 ${p(paced.latencies, 0.99).toFixed(0)} ms`,
    );
    log(
      `status settled (every binding Healthy in all its clusters: ${settledCount}/${m}) ${(settled / 1000).toFixed(1)} s after the last Deployment arrived`,
    );
    log(`control-plane requests per Deployment (≥ 0.25): ${perDeployment}`);
    const reasons = new Map<string, number>();
    for (const e of events.items) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + (e.count ?? 1));
    log(
      `Events per Deployment: ${[...reasons]
        .sort((a, b) => b[1] - a[1])
        .map(([r, c]) => `${r} ${(c / m).toFixed(1)}`)
        .join(', ')}`,
    );
    log(
      `CPU per Deployment (burst): control plane and its controllers ${((cpu.user + cpu.system) / 1000 / m).toFixed(1)} ms, the ${n} members ${(memberCpu / m).toFixed(1)} ms`,
    );
    log(
      `direct create in a member: p50 ${p(base.latencies, 0.5).toFixed(1)} ms, p99 ${p(base.latencies, 0.99).toFixed(1)} ms`,
    );
    log(
      `for reference only (not measured here): Karmada v1.3 resource_distribution p99 ${KARMADA_P99_MS} ms (push, 100 clusters, 64 vCPU, paced creation); ours paced p99 ${p(paced.latencies, 0.99).toFixed(0)} ms, burst p99 ${p(burst.latencies, 0.99).toFixed(0)} ms`,
    );
  } finally {
    abort.abort();
    await controllers?.stop();
    await client.close();
    await Promise.all(members.map((c) => c.client.close()));
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.stdin?.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await plane.close();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Sizes: quick 10 clusters × 200 Deployments, full 100 × 5,000; `FLOTILLA_BENCH_PROPAGATION=NxM`
 * (clusters × Deployments) overrides either, for machines where the full size takes too long.
 */
function sizes(quick: boolean): [number, number] {
  const override = /^(\d+)x(\d+)$/.exec(process.env.FLOTILLA_BENCH_PROPAGATION ?? '');
  if (override) return [Number(override[1]), Number(override[2])];
  return quick ? [10, 200] : [100, 5000];
}

const bench: Bench = {
  name: 'propagation',
  description:
    'template → Deployment in every chosen member cluster, through detector, scheduler, binding and push execution',
  async run(ctx) {
    const [n, m] = sizes(ctx.quick);
    await run(n, m, ctx.log);
  },
};

export default bench;
