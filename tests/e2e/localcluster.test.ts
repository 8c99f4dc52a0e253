/**
 * A local member cluster as a new user meets it: `flotilla up --members member1 --detach`, then
 * real kubectl with the written `member1.config` and real HTTP to pod IPs. Bookinfo comes up
 * within 20 s and serves its page across Services; pods are repaired, scaled and rolled; a
 * crash-looping container restarts with its logs kept; an unknown image says why; `flotilla
 * down` leaves no pod process behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ROOT, run, until } from '../helpers/e2e.ts';

const BOOKINFO = join(ROOT, 'examples/bookinfo/bookinfo-karmada.yaml');

/** Pids of live processes whose environment names `marker` (a pod's hosts file under our state dir). */
function podProcesses(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone or not ours
    }
  }
  return pids;
}

interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  status: {
    phase: string;
    podIP?: string;
    containerStatuses?: { restartCount: number; ready: boolean; state: { waiting?: { reason: string } } }[];
  };
}

describe('local member cluster (e2e)', { timeout: 300_000 }, () => {
  let home: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  const flotilla = (...args: string[]) => run(process.execPath, [CLI, ...args], env, 150_000);
  const kubectl = (...args: string[]) =>
    run('kubectl', ['--kubeconfig', join(stateDir, 'member1.config'), ...args], env);
  const pods = async (selector: string): Promise<Pod[]> => {
    const r = await kubectl('get', 'pods', '-l', selector, '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { items: Pod[] }).items;
  };
  const readyPods = (selector: string, count: number) =>
    until(`${count} ready pods for ${selector}`, 30_000, async () => {
      const list = (await pods(selector)).filter(
        (p) => p.status.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready),
      );
      return list.length === count ? list : undefined;
    });
  const page = async (ip: string) => {
    const res = await fetch(`http://${ip}:9080/productpage`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, html: await res.text() };
  };

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-lc-e2e-'));
    stateDir = join(home, 'state');
    env = { ...process.env, HOME: home, FLOTILLA_HOME: join(home, 'unused') };
    const up = await flotilla(
      'up',
      '--members',
      'member1',
      '--detach',
      '--state-dir',
      stateDir,
      '--port',
      '0',
    );
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /^member1 +https:\/\/127\.0\.0\.1:\d+ +kubeconfig .*member1\.config$/m);
    assert.match(up.stdout, /ready \(control plane \+ member1\)/);
  });
  after(async () => {
    await flotilla('down', '--state-dir', stateDir);
    await rm(home, { recursive: true, force: true });
  });

  it('brings Bookinfo to READY 1/1 within 20 seconds, on distinct pod IPs listed in EndpointSlices', async () => {
    const started = Date.now();
    const applied = await kubectl('apply', '-f', BOOKINFO);
    assert.equal(applied.code, 0, applied.stderr);
    await until('six Deployments READY 1/1', 20_000 - (Date.now() - started), async () => {
      const r = await kubectl('get', 'deployments', '--no-headers');
      const rows = r.stdout
        .trim()
        .split('\n')
        .filter((l) => l !== '');
      return rows.length === 6 && rows.every((l) => /^\S+\s+1\/1\s/.test(l)) ? rows : undefined;
    });
    const wide = await kubectl('get', 'pods', '-o', 'wide', '--no-headers');
    const rows = wide.stdout.trim().split('\n');
    assert.equal(rows.length, 6, wide.stdout);
    const ips = rows.map((l) => {
      assert.match(l, /\s1\/1\s+Running\s/);
      return l.split(/\s+/)[5] ?? '';
    });
    assert.equal(new Set(ips).size, 6, wide.stdout);
    // member1's ranges are 127.10.0.0/16 unless another flotilla on this machine (a concurrent
    // e2e test) holds that index; then the node's podCIDR says which one it got.
    const cidr = await kubectl('get', 'nodes', '-o', 'jsonpath={.items[0].spec.podCIDR}');
    const prefix = /^(127\.\d+)\.0\.0\/16$/.exec(cidr.stdout.trim())?.[1];
    assert.ok(prefix, `unexpected podCIDR ${cidr.stdout}`);
    for (const ip of ips) assert.ok(ip.startsWith(`${prefix}.`), `${ip} is not in ${cidr.stdout}`);
    const slices = await kubectl('get', 'endpointslices', '--no-headers');
    for (const ip of ips) assert.ok(slices.stdout.includes(ip), `${ip} missing from\n${slices.stdout}`);
  });

  it('serves the product page with details and reviews, and the details JSON', async () => {
    const [pp] = await readyPods('app=productpage', 1);
    const [details] = await readyPods('app=details', 1);
    const reviewers = new Set((await pods('app=reviews')).map((p) => p.metadata.name));
    const seen = new Map<string, string>();
    await until('all three reviews versions', 30_000, async () => {
      const { status, html } = await page(pp?.status.podIP ?? '');
      assert.equal(status, 200);
      assert.match(html, /The Comedy of Errors/);
      assert.match(html, /William Shakespeare/);
      assert.match(html, /Reviewer1/);
      const by = /Reviews served by:\s*(?:<[^>]+>\s*)*([a-z0-9-]+)/.exec(html)?.[1] ?? '';
      assert.ok(reviewers.has(by), `"${by}" is not a reviews pod: ${[...reviewers].join(' ')}`);
      const stars = html.includes('glyphicon-star') ? (/text-red-500/.test(html) ? 'red' : 'black') : 'none';
      seen.set(by.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''), stars);
      return seen.size === 3 ? seen : undefined;
    });
    assert.deepEqual(Object.fromEntries([...seen].sort()), {
      'reviews-v1': 'none',
      'reviews-v2': 'black',
      'reviews-v3': 'red',
    });
    const res = await fetch(`http://${details?.status.podIP}:9080/details/0`);
    assert.deepEqual(await res.json(), {
      id: 0,
      author: 'William Shakespeare',
      year: 1595,
      type: 'paperback',
      pages: 200,
      publisher: 'PublisherA',
      language: 'English',
      'ISBN-10': '1234567890',
      'ISBN-13': '123-1234567890',
    });
  });

  it('repairs a deleted pod, scales to three and rolls on image and env changes', async () => {
    const [old] = await readyPods('app=ratings', 1);
    assert.equal((await kubectl('delete', 'pod', old?.metadata.name ?? '', '--wait=false')).code, 0);
    const [fresh] = await readyPods('app=ratings', 1);
    assert.notEqual(fresh?.metadata.name, old?.metadata.name);

    assert.equal((await kubectl('scale', 'deployment', 'reviews-v1', '--replicas=3')).code, 0);
    const three = await readyPods('app=reviews,version=v1', 3);
    assert.equal(new Set(three.map((p) => p.status.podIP)).size, 3);

    const image = 'docker.io/istio/examples-bookinfo-details-v1:1.20.1';
    assert.equal((await kubectl('set', 'image', 'deployment/details-v1', `details=${image}`)).code, 0);
    const rolled = await kubectl('rollout', 'status', 'deployment/details-v1', '--timeout=30s');
    assert.equal(rolled.code, 0, rolled.stderr);
    const img = await kubectl(
      'get',
      'pods',
      '-l',
      'app=details',
      '-o',
      'jsonpath={.items[*].spec.containers[0].image}',
    );
    assert.equal(img.stdout, image);

    assert.equal((await kubectl('set', 'env', 'deployment/details-v1', 'GREETING=hello')).code, 0);
    assert.equal((await kubectl('rollout', 'status', 'deployment/details-v1', '--timeout=30s')).code, 0);
    const rs = await kubectl('get', 'replicasets', '-l', 'app=details', '--no-headers');
    assert.equal(rs.stdout.trim().split('\n').length, 3, rs.stdout);
  });

  it('restarts a crashing container with back-off and keeps its logs', async () => {
    const created = await kubectl(
      'create',
      'deployment',
      'crasher',
      '--image=example.com/anything/crasher:1',
      '--',
      'sh',
      '-c',
      'echo boom; exit 1',
    );
    assert.equal(created.code, 0, created.stderr);
    const pod = await until('a restart', 40_000, async () => {
      const [p] = await pods('app=crasher');
      return (p?.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
    });
    const name = pod.metadata.name;
    const wide = await kubectl('get', 'pod', name, '--no-headers');
    assert.match(wide.stdout, /\s0\/1\s+(CrashLoopBackOff|Error|Completed|Running)\s+[1-9]/);
    const previous = await kubectl('logs', name, '--previous');
    assert.equal(previous.code, 0, previous.stderr);
    assert.equal(previous.stdout, 'boom\n');
    const events = await kubectl('get', 'events', '--field-selector', `involvedObject.name=${name}`);
    assert.match(events.stdout, /BackOff/);
  });

  it('streams logs with -f and picks containers with -c', async () => {
    const [details] = await readyPods('app=details', 1);
    const name = details?.metadata.name ?? '';
    const bad = await kubectl('logs', name, '-c', 'nope');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod/);
    const follow = spawn(
      'kubectl',
      ['--kubeconfig', join(stateDir, 'member1.config'), 'logs', '-f', name, '-c', 'details'],
      {
        env,
      },
    );
    try {
      let out = '';
      follow.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await until('the listening line', 10_000, async () =>
        /Server listening on/.test(out) ? true : undefined,
      );
      await fetch(`http://${details?.status.podIP}:9080/details/7`);
      await until('the request to be logged while following', 10_000, async () =>
        out.includes('/details/7') ? true : undefined,
      );
    } finally {
      follow.kill();
    }
  });

  it('reports an unknown image and a missing command in status and events, not a crash', async () => {
    assert.equal((await kubectl('run', 'ghost', '--image=example.com/no/such-image:0')).code, 0);
    assert.equal(
      (await kubectl('run', 'nocmd', '--image=busybox', '--command', '--', '/no/such/binary')).code,
      0,
    );
    const reasonOf = async (pod: string) => {
      const r = await kubectl(
        'get',
        'pod',
        pod,
        '-o',
        'jsonpath={.status.containerStatuses[0].state.waiting.reason}',
      );
      return r.stdout;
    };
    await until('ErrImagePull', 15_000, async () =>
      /ErrImagePull|ImagePullBackOff/.test(await reasonOf('ghost')) ? true : undefined,
    );
    await until('a start error', 15_000, async () => {
      const r = await kubectl('get', 'pod', 'nocmd', '-o', 'jsonpath={.status.containerStatuses[0]}');
      return /RunContainerError|StartError|CrashLoopBackOff|CreateContainerError/.test(r.stdout)
        ? true
        : undefined;
    });
    const events = await kubectl('describe', 'pod', 'ghost');
    assert.match(events.stdout, /not in Flotilla's image catalog/);
    const nodes = await kubectl('get', 'nodes', '--no-headers');
    assert.match(nodes.stdout, /^member1-node\s+Ready\s/);
  });

  it('flotilla down stops every pod process', async () => {
    const marker = join(stateDir, 'member1', 'dns', 'hosts');
    assert.ok(podProcesses(marker).length >= 6, 'pod processes run before down');
    const down = await flotilla('down', '--state-dir', stateDir);
    assert.equal(down.code, 0, down.stderr);
    await until('no pod process', 10_000, async () => (podProcesses(marker).length === 0 ? true : undefined));
  });
});
