/**
 * The traffic view in a real browser, fed by a metrics endpoint that serves Istio's
 * `istio_requests_total` exposition the way the mesh's `/stats/prometheus` does: a standalone
 * `flotilla dashboard --kubeconfig FILE --metrics-url URL` against a control plane from
 * `flotilla up --members ''`. Bookinfo's calls are replayed with reviews v1/v2/v3 in two
 * clusters taking equal shares and one failing edge; the page must show the graph, the 1:1:1
 * split and the error rate, and say so when the endpoint goes away.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, Screenshots, watchedPage } from '../helpers/browser.ts';
import { CLI, run, until } from '../helpers/e2e.ts';

interface Flow {
  from: string;
  fromCluster: string;
  to: string;
  toCluster: string;
  service: string;
  version: string;
  perScrape: number;
  failing?: number;
}

const FLOWS: Flow[] = [
  {
    from: 'istio-ingressgateway',
    fromCluster: 'member1',
    to: 'productpage-v1',
    toCluster: 'member1',
    service: 'productpage',
    version: 'v1',
    perScrape: 18,
  },
  {
    from: 'productpage-v1',
    fromCluster: 'member1',
    to: 'details-v1',
    toCluster: 'member2',
    service: 'details',
    version: 'v1',
    perScrape: 18,
  },
  ...['member1', 'member2'].flatMap((cluster) =>
    ['v1', 'v2', 'v3'].map((version) => ({
      from: 'productpage-v1',
      fromCluster: 'member1',
      to: `reviews-${version}`,
      toCluster: cluster,
      service: 'reviews',
      version,
      perScrape: 3,
    })),
  ),
  {
    from: 'reviews-v2',
    fromCluster: 'member1',
    to: 'ratings-v1',
    toCluster: 'member2',
    service: 'ratings',
    version: 'v1',
    perScrape: 2,
    failing: 1,
  },
];

/** Exposition text after `n` scrapes, with the labels Istio's proxies put on the counter. */
function exposition(n: number): string {
  const lines = ['# HELP istio_requests_total Total requests.', '# TYPE istio_requests_total counter'];
  const series = (f: Flow, code: number, count: number) =>
    `istio_requests_total{reporter="destination",source_workload="${f.from}",source_workload_namespace="default",source_cluster="${f.fromCluster}",destination_workload="${f.to}",destination_workload_namespace="default",destination_app="${f.service}",destination_version="${f.version}",destination_service="${f.service}.default.svc.cluster.local",destination_service_name="${f.service}",destination_service_namespace="default",destination_cluster="${f.toCluster}",request_protocol="http",response_code="${code}",response_flags="-"} ${count}`;
  for (const f of FLOWS) {
    lines.push(series(f, 200, n * (f.perScrape - (f.failing ?? 0))));
    if (f.failing) lines.push(series(f, 503, n * f.failing));
  }
  return `${lines.join('\n')}\n`;
}

describe('dashboard: the traffic view over mesh metrics (e2e)', { timeout: 240_000 }, () => {
  let home: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let metrics: Server;
  let metricsUrl: string;
  let dashboard: ChildProcess | undefined;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let scrapes = 0;
  const shots = new Screenshots('dashboard');
  const flotilla = (...args: string[]) =>
    run(process.execPath, [CLI, ...args, '--state-dir', stateDir], env, 120_000);

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-dashboard-traffic-'));
    stateDir = join(home, 'state');
    env = { ...process.env, HOME: home };
    metrics = createServer((req, res) => {
      if (req.url !== '/stats/prometheus') {
        res.writeHead(404).end();
        return;
      }
      scrapes++;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(scrapes));
    });
    await new Promise<void>((done) => metrics.listen(0, '127.0.0.1', done));
    metricsUrl = `http://127.0.0.1:${(metrics.address() as AddressInfo).port}/stats/prometheus`;
    const up = await flotilla('up', '--members', '', '--detach', '--port', '0');
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    browser = await launchBrowser();
    ({ page, errors } = await watchedPage(
      await browser.newContext({ viewport: { width: 1280, height: 900 } }),
    ));
  });

  after(async () => {
    dashboard?.kill('SIGTERM');
    await browser?.close();
    metrics?.close();
    if (stateDir) await flotilla('down');
    if (home) await rm(home, { recursive: true, force: true });
    for (const path of shots.saved) console.log(`screenshot: ${path}`);
  });

  it('flotilla dashboard --kubeconfig FILE --metrics-url URL prints its link', async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'dashboard',
        '--kubeconfig',
        join(stateDir, 'karmada-apiserver.config'),
        '--state-dir',
        stateDir,
        '--dashboard-port',
        '0',
        '--metrics-url',
        metricsUrl,
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    dashboard = child;
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const link = await until(
      'the dashboard line',
      60_000,
      async () => /^dashboard +(http:\/\/\S+)$/m.exec(out)?.[1],
    );
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    await page.goto(link);
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'live' }).waitFor();
  });

  it('draws the graph with rates and errors, and reviews split 1:1:1 across versions', async () => {
    await page.evaluate(() => {
      location.hash = '#/traffic';
    });
    await page.getByText(`Live from ${metricsUrl}`).waitFor({ timeout: 30_000 });
    const nodes = new Set(FLOWS.flatMap((f) => [`${f.from}@${f.fromCluster}`, `${f.to}@${f.toCluster}`]));
    await page
      .getByRole('img', { name: `Service graph: ${nodes.size} workloads, ${FLOWS.length} connections` })
      .waitFor({ timeout: 30_000 });
    const split = page.getByRole('table', { name: 'Request split of reviews' });
    await until('rates for all six reviews workloads', 30_000, async () => {
      const rps = await split.locator('[data-field=rps]').allTextContents();
      return rps.length === 6 && rps.every((r) => Number(r) > 0) ? rps : undefined;
    });
    const rps = await split.locator('[data-field=rps]').allTextContents();
    assert.equal(new Set(rps).size, 1, `equal rates expected, got ${rps.join(', ')}`);
    assert.deepEqual(await split.locator('[data-field=share]').allTextContents(), Array(6).fill(' 17%'));
    await page.getByRole('img', { name: 'Split by version: v1 33%, v2 33%, v3 33%' }).waitFor();
    // reviews-v2 → ratings fails half its requests (1 of 2 per scrape).
    const failing = page.locator('g.edge.failing');
    assert.equal(await failing.count(), 1);
    assert.match((await failing.textContent()) ?? '', /50% err/);
    await shots.take(page, 'traffic');
  });

  it('says so when the metrics endpoint stops answering', async () => {
    metrics.close();
    metrics.closeAllConnections();
    await page.getByText(`The mesh's metrics at ${metricsUrl} did not answer`).waitFor({ timeout: 30_000 });
  });

  it('logged no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
