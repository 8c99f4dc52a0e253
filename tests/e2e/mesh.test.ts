/**
 * The seed guide's Steps 2 and 3 and Istio's Bookinfo traffic-management tasks, as a user meets
 * them: `flotilla up --demo bookinfo --detach`, `kubectl get pods` (2/2 everywhere), requests to
 * the ingress gateway on 127.0.0.1, Istio's manifests applied to the control plane with kubectl,
 * a reviews pod deleted under load, and a failing reviews pod ejected by outlier detection.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ROOT, run, until } from '../helpers/e2e.ts';

const ISTIO = join(ROOT, 'examples/bookinfo/istio');
const PORT = 7500;
const GATEWAY_PORT = 7580;
const REVIEWS_ERROR = 'Sorry, product reviews are currently unavailable for this book.';

type Version = 'v1' | 'v2' | 'v3' | 'error';

/** A product page as a user reads it. */
interface Page {
  status: number;
  ms: number;
  version: Version;
  /** Book details shown. */
  details: boolean;
  /** Reviews that show a rating (stars), out of the two. */
  rated: number;
  ratingsUnavailable: number;
  reviewsError: boolean;
  servedBy: string | undefined;
}

/** Reads the reviews version off the page the way Bookinfo renders it: no stars, black or red stars. */
function readPage(status: number, html: string, ms: number): Page {
  const black = html.split('flex gap-x-1 text-black-500').length - 1;
  const red = html.split('flex gap-x-1 text-red-500').length - 1;
  const stars = html.split('glyphicon glyphicon-star"').length - 1;
  const reviewsError = html.includes(REVIEWS_ERROR);
  const version: Version = reviewsError
    ? 'error'
    : red > 0
      ? 'v3'
      : black > 0
        ? 'v2'
        : stars === 0 && html.includes('Book Reviews')
          ? 'v1'
          : 'error';
  return {
    status,
    ms,
    version,
    details: html.includes('Book Details') && html.includes('ISBN-10'),
    rated: black + red,
    ratingsUnavailable: html.split('Ratings service is currently unavailable').length - 1,
    reviewsError,
    servedBy: /Reviews served by: ([\w.-]+)/.exec(html)?.[1],
  };
}

describe('mesh: Bookinfo through the ingress gateway and sidecars (e2e)', { timeout: 900_000 }, () => {
  let home: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let upOutput = '';
  let gateway = '';
  const flotilla = (...args: string[]) =>
    run(process.execPath, [CLI, ...args, '--state-dir', stateDir], env, 400_000);
  const kubectl = async (cluster: string, ...args: string[]) => {
    const r = await run('kubectl', ['--kubeconfig', join(stateDir, `${cluster}.config`), ...args], env);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const apply = (file: string) => kubectl('karmada-apiserver', 'apply', '-f', join(ISTIO, file));
  const page = async (cookie?: string): Promise<Page> => {
    const start = Date.now();
    const res = await fetch(`${gateway}/productpage`, {
      headers: cookie ? { cookie } : {},
      signal: AbortSignal.timeout(30_000),
    });
    const html = await res.text();
    return readPage(res.status, html, Date.now() - start);
  };
  const pages = async (n: number, concurrency: number, cookie?: string): Promise<Page[]> => {
    const out: Page[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          next++;
          out.push(await page(cookie));
        }
      }),
    );
    return out;
  };
  const share = (list: Page[], v: Version) => list.filter((p) => p.version === v).length / list.length;
  /** Waits until `n` pages in a row satisfy `ok` (configuration reaches every proxy in moments). */
  const settle = (what: string, ok: (p: Page) => boolean, cookie?: string, n = 10) =>
    until(what, 30_000, async () => ((await pages(n, 1, cookie)).every(ok) ? true : undefined));
  const login = async (user: string): Promise<string> => {
    const res = await fetch(`${gateway}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', referer: `${gateway}/productpage` },
      body: `username=${user}&passwd=password`,
    });
    assert.equal(res.status, 302);
    const cookie = /^(session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(cookie, 'a session cookie');
    return cookie;
  };

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'helper-m2-mesh-e2e-'));
    stateDir = join(home, 'state');
    env = { ...process.env, HOME: home, FLOTILLA_HOME: join(home, 'unused') };
    const up = await flotilla(
      'up',
      '--demo',
      'bookinfo',
      '--detach',
      '--port',
      String(PORT),
      '--gateway-port',
      String(GATEWAY_PORT),
    );
    upOutput = up.stdout;
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const endpoints = JSON.parse(await readFile(join(stateDir, 'endpoints.json'), 'utf8'));
    gateway = endpoints.gateway;
  });
  after(async () => {
    if (stateDir) await flotilla('down');
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('prints the gateway endpoint and records mesh and gateway in endpoints.json', async () => {
    assert.match(upOutput, new RegExp(`^gateway +http://127\\.0\\.0\\.1:${GATEWAY_PORT}/productpage$`, 'm'));
    assert.equal(gateway, `http://127.0.0.1:${GATEWAY_PORT}`);
    const endpoints = JSON.parse(await readFile(join(stateDir, 'endpoints.json'), 'utf8'));
    assert.match(endpoints.mesh, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(endpoints.meshMetrics, `${endpoints.mesh}/stats/prometheus`);
  });

  it('shows every Bookinfo pod 2/2 in each member (application + istio-proxy)', async () => {
    const expected: Record<string, string[]> = {
      member1: ['productpage-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3'],
      member2: ['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3'],
    };
    for (const [member, deployments] of Object.entries(expected)) {
      const rows = await until(`${member} pods 2/2`, 60_000, async () => {
        const table = (await kubectl(member, 'get', 'pods')).trim().split('\n');
        const cells = table.slice(1).map((l) => l.split(/\s+/));
        return cells.length === deployments.length && cells.every((c) => c[1] === '2/2' && c[2] === 'Running')
          ? cells
          : undefined;
      });
      assert.deepEqual(rows.map((c) => c[0]?.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')).sort(), deployments);
      const containers = await kubectl(
        member,
        'get',
        'pods',
        '-o',
        'jsonpath={.items[0].spec.containers[*].name}',
      );
      assert.match(containers, / istio-proxy$/);
    }
  });

  it('answers 300 requests with 200, reviews v1, v2 and v3 each 27–39%, details on every page, ratings on v2/v3', async (t) => {
    // One after another, as a user refreshing the page.
    const list = await pages(300, 1);
    assert.equal(list.length, 300);
    assert.deepEqual(
      list.filter((p) => p.status !== 200),
      [],
    );
    assert.deepEqual(
      list.filter((p) => p.version === 'error').map((p) => p.servedBy),
      [],
    );
    assert.ok(
      list.every((p) => p.details),
      'every page shows book details (served from member2)',
    );
    for (const p of list) {
      if (p.version === 'v2' || p.version === 'v3') assert.equal(p.rated, 2, 'both reviews show stars');
    }
    const split = { v1: share(list, 'v1'), v2: share(list, 'v2'), v3: share(list, 'v3') };
    t.diagnostic(`reviews split over 300 requests: ${JSON.stringify(split)}`);
    for (const [v, s] of Object.entries(split)) assert.ok(s >= 0.27 && s <= 0.39, `${v} answered ${s}`);
    const servers = new Set(list.map((p) => p.servedBy));
    assert.equal(servers.size, 6, `reviews pods of both clusters answer: ${[...servers].join(', ')}`);
  });

  it('writes an access log line per request in the sidecar’s log (kubectl logs -c istio-proxy)', async () => {
    const pod = (
      await kubectl(
        'member1',
        'get',
        'pods',
        '-l',
        'app=productpage',
        '-o',
        'jsonpath={.items[0].metadata.name}',
      )
    ).trim();
    const log = await kubectl('member1', 'logs', pod, '-c', 'istio-proxy');
    assert.match(log, /reviews/);
    assert.match(log, /details/);
  });

  it('request routing: all v1, then jason to v2 by the end-user header', async () => {
    await apply('destination-rule-all.yaml');
    await apply('virtual-service-all-v1.yaml');
    await settle('all v1', (p) => p.version === 'v1');
    const anonymous = await pages(30, 5);
    assert.ok(anonymous.every((p) => p.version === 'v1' && p.details));
    await apply('virtual-service-reviews-test-v2.yaml');
    const jason = await login('jason');
    await settle('jason on v2', (p) => p.version === 'v2', jason);
    const asJason = await pages(20, 5, jason);
    assert.ok(asJason.every((p) => p.version === 'v2' && p.rated === 2));
    const others = await pages(20, 5, await login('alice'));
    assert.ok(others.every((p) => p.version === 'v1'));
  });

  it('refuses an invalid update (weights summing to 0) on its status and in an Event, keeping the last valid routes', async () => {
    const file = join(home, 'reviews-zero.yaml');
    await writeFile(
      file,
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - {destination: {host: reviews, subset: v1}, weight: 0}
    - {destination: {host: reviews, subset: v3}, weight: 0}
`,
    );
    await kubectl('karmada-apiserver', 'apply', '-f', file);
    const message = await until('the validation message', 30_000, async () => {
      const m = await kubectl(
        'karmada-apiserver',
        'get',
        'vs',
        'reviews',
        '-o',
        'jsonpath={.status.validationMessages[0].message}',
      );
      return m.includes('weight') ? m : undefined;
    });
    assert.match(message, /total destination weight is 0/);
    const events = await kubectl(
      'karmada-apiserver',
      'get',
      'events',
      '--field-selector',
      'reason=InvalidConfig',
      '-o',
      'jsonpath={.items[*].message}',
    );
    assert.match(events, /its last valid version stays in force/);
    const jason = await login('jason');
    assert.ok(
      (await pages(10, 2, jason)).every((p) => p.version === 'v2'),
      'jason still on v2',
    );
    assert.ok(
      (await pages(10, 2)).every((p) => p.version === 'v1'),
      'everyone else still on v1',
    );
    await apply('virtual-service-reviews-test-v2.yaml');
    await until('the message cleared', 30_000, async () =>
      (
        await kubectl(
          'karmada-apiserver',
          'get',
          'vs',
          'reviews',
          '-o',
          'jsonpath={.status.validationMessages}',
        )
      ).trim() === '[]'
        ? true
        : undefined,
    );
  });

  it('serves the same routes from a separate `flotilla gateway` process', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'gateway', '--state-dir', stateDir, '--gateway-port', String(GATEWAY_PORT + 1)],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    try {
      const p = await until('the second gateway', 30_000, async () => {
        const res = await fetch(`http://127.0.0.1:${GATEWAY_PORT + 1}/productpage`);
        const html = await res.text();
        return res.status === 200 ? readPage(res.status, html, 0) : undefined;
      });
      assert.equal(p.version, 'v1');
      assert.ok(p.details);
      assert.match(out, new RegExp(`^gateway +http://127\\.0\\.0\\.1:${GATEWAY_PORT + 1}$`, 'm'));
      const notFound = await fetch(`http://127.0.0.1:${GATEWAY_PORT + 1}/`);
      assert.equal(notFound.status, 404, 'paths the VirtualService does not route get 404');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('fault injection: a 7 s ratings delay for jason fails reviews after about 6 s; an abort shows ratings unavailable at once', async () => {
    const jason = await login('jason');
    await apply('virtual-service-ratings-test-delay.yaml');
    await until('the delay in force', 60_000, async () =>
      (await page(jason)).reviewsError ? true : undefined,
    );
    // Timed on a fresh page: the one that saw the change may have started under the old routes.
    const delayed = await page(jason);
    assert.ok(delayed.reviewsError, 'reviews unavailable');
    assert.ok(delayed.ms >= 5_500 && delayed.ms < 9_000, `the page took ${delayed.ms} ms`);
    assert.equal(delayed.status, 200);
    assert.ok(delayed.details);
    const anonymous = await page();
    assert.equal(anonymous.version, 'v1');
    assert.ok(anonymous.ms < 3_000, `others are not delayed (${anonymous.ms} ms)`);

    await apply('virtual-service-ratings-test-abort.yaml');
    await until('the abort in force', 30_000, async () =>
      (await page(jason)).ratingsUnavailable === 2 ? true : undefined,
    );
    const aborted = await page(jason);
    assert.equal(aborted.ratingsUnavailable, 2);
    // Ratings failed, so no stars: the reviews pod's name tells the version.
    assert.match(aborted.servedBy ?? '', /^reviews-v2-/);
    assert.ok(aborted.ms < 3_000, `the page loads at once (${aborted.ms} ms)`);
  });

  it('traffic shifting: 50/50 v1/v3, then 80/20 v1/v2', async () => {
    await kubectl('karmada-apiserver', 'delete', 'virtualservice', 'ratings');
    await apply('virtual-service-reviews-50-v3.yaml');
    await settle('no v2 left', (p) => p.version === 'v1' || p.version === 'v3', undefined, 20);
    const fifty = await pages(200, 10);
    assert.equal(share(fifty, 'v2'), 0);
    assert.ok(share(fifty, 'v1') >= 0.38 && share(fifty, 'v1') <= 0.62, `v1 ${share(fifty, 'v1')}`);
    assert.ok(share(fifty, 'v3') >= 0.38 && share(fifty, 'v3') <= 0.62, `v3 ${share(fifty, 'v3')}`);
    await apply('virtual-service-reviews-80-20.yaml');
    await settle('no v3 left', (p) => p.version === 'v1' || p.version === 'v2', undefined, 20);
    const eighty = await pages(200, 10);
    assert.equal(share(eighty, 'v3'), 0);
    assert.ok(share(eighty, 'v1') >= 0.7 && share(eighty, 'v1') <= 0.9, `v1 ${share(eighty, 'v1')}`);
  });

  it('request timeouts: ratings delayed 2 s, then reviews timeout 0.5 s fails reviews in about 1 s', async () => {
    await apply('request-timeouts-reviews-v2.yaml');
    await apply('request-timeouts-ratings-delay.yaml');
    const slow = await until('the 2 s delay', 30_000, async () => {
      const p = await page();
      return p.version === 'v2' && p.ms >= 1_900 ? p : undefined;
    });
    assert.equal(slow.rated, 2, 'black stars after the delay');
    await apply('request-timeouts-reviews-timeout.yaml');
    await until('the 0.5 s timeout', 30_000, async () => ((await page()).reviewsError ? true : undefined));
    const timedOut = await page();
    assert.ok(timedOut.reviewsError, 'reviews unavailable');
    assert.ok(timedOut.ms >= 900 && timedOut.ms < 1_900, `the page took ${timedOut.ms} ms`);
    assert.ok(timedOut.details);
  });

  it('loses no request while a reviews pod is deleted under 20 clients', async () => {
    // Back to Step 2: only the gateway's VirtualService, no subsets.
    await kubectl(
      'karmada-apiserver',
      'delete',
      'virtualservice',
      'reviews',
      'ratings',
      'productpage',
      'details',
      '--ignore-not-found',
    );
    await kubectl('karmada-apiserver', 'delete', 'destinationrule', '--all');
    await settle('all versions again', (p) => p.version !== 'error' && p.ms < 1_500, undefined, 20);
    const pod = (
      await kubectl(
        'member1',
        'get',
        'pods',
        '-l',
        'app=reviews,version=v2',
        '-o',
        'jsonpath={.items[0].metadata.name}',
      )
    ).trim();
    let stop = false;
    const seen: Page[] = [];
    const clients = Array.from({ length: 20 }, async () => {
      while (!stop) seen.push(await page());
    });
    await new Promise((r) => setTimeout(r, 1_000));
    await kubectl('member1', 'delete', 'pod', pod, '--wait=true');
    await new Promise((r) => setTimeout(r, 4_000));
    stop = true;
    await Promise.all(clients);
    assert.ok(seen.length > 100, `${seen.length} requests`);
    const failed = seen.filter((p) => p.status !== 200 || p.reviewsError || !p.details);
    assert.equal(failed.length, 0, `${failed.length} of ${seen.length} requests failed`);
  });

  it('ejects a reviews pod that answers 500 once outlier detection is configured', async () => {
    const broken = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-broken
spec:
  replicas: 1
  selector: {matchLabels: {app: reviews, version: broken}}
  template:
    metadata: {labels: {app: reviews, version: broken}}
    spec:
      containers:
      - name: reviews
        image: docker.io/library/node:24
        command:
        - node
        - -e
        - "require('http').createServer((q, s) => { console.log('500', q.url); s.writeHead(500); s.end('{}'); }).listen(9080, process.env.POD_IP)"
        ports: [{containerPort: 9080}]
        readinessProbe: {tcpSocket: {port: 9080}, periodSeconds: 1}
`;
    const file = join(home, 'reviews-broken.yaml');
    await writeFile(file, broken);
    await kubectl('member1', 'apply', '-f', file);
    const pod = await until('the broken pod 2/2', 60_000, async () => {
      const line = (await kubectl('member1', 'get', 'pods', '-l', 'version=broken', '--no-headers')).trim();
      return line.split(/\s+/)[1] === '2/2' ? line.split(/\s+/)[0] : undefined;
    });
    const hits = async () =>
      (await kubectl('member1', 'logs', pod!, '-c', 'reviews')).split('\n').filter((l) => l.startsWith('500'))
        .length;
    // Without outlier detection the broken pod takes its share of traffic.
    await until('the broken pod in rotation', 60_000, async () => {
      await pages(20, 5);
      return (await hits()) > 0 ? true : undefined;
    });
    await apply('destination-rule-reviews-outlier.yaml');
    await until('the broken pod ejected', 60_000, async () => {
      const before = await hits();
      const list = await pages(40, 5);
      return (await hits()) === before && list.every((p) => p.version !== 'error') ? true : undefined;
    });
    const before = await hits();
    const list = await pages(60, 5);
    assert.equal(await hits(), before, 'no request reaches the ejected pod');
    assert.ok(list.every((p) => p.status === 200 && p.version !== 'error'));
  });
});
