/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against a running
 * `flotilla up --demo bookinfo --detach`: the printed link signs in, each view shows what the
 * API says (compared with kubectl and the CLI, not with fixed numbers), reviews-v1 leads to its
 * explanation, a cordon and a new workload show up live, the page fits a narrow window and
 * logs no console errors. Screenshots are kept in test-results/dashboard/.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, Screenshots, watchedPage } from '../helpers/browser.ts';
import { CLI, run, until } from '../helpers/e2e.ts';

const NEW_WORKLOAD = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dash-web
  labels: {app: dash-web}
spec:
  replicas: 2
  selector: {matchLabels: {app: dash-web}}
  template:
    metadata: {labels: {app: dash-web}}
    spec:
      containers: [{name: web, image: docker.io/istio/examples-bookinfo-details-v1:1.20.3}]
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: dash-web-propagation
spec:
  resourceSelectors:
    - {apiVersion: apps/v1, kind: Deployment, name: dash-web}
  placement:
    clusterAffinity: {clusterNames: [member1, member2]}
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
          - {targetCluster: {clusterNames: [member1]}, weight: 1}
          - {targetCluster: {clusterNames: [member2]}, weight: 1}
`;

// biome-ignore lint/suspicious/noExplicitAny: kubectl's JSON is checked field by field
type Json = any;

describe('dashboard: flotilla up --demo bookinfo in a browser (e2e)', { timeout: 420_000 }, () => {
  let home: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  let link: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const shots = new Screenshots('dashboard');
  const flotilla = (...args: string[]) =>
    run(process.execPath, [CLI, ...args, '--state-dir', stateDir], env, 300_000);
  const kubectl = async (cluster: string, ...args: string[]) => {
    const r = await run('kubectl', ['--kubeconfig', join(stateDir, `${cluster}.config`), ...args], env);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const json = async (cluster: string, ...args: string[]): Promise<Json> =>
    JSON.parse(await kubectl(cluster, ...args, '-o', 'json'));
  const text = async (selector: string) =>
    ((await page.locator(selector).first().textContent()) ?? '').trim();
  const go = async (route: string) => {
    await page.evaluate((r) => {
      location.hash = r;
    }, route);
  };

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-dashboard-e2e-'));
    stateDir = join(home, 'state');
    env = { ...process.env, HOME: home, FLOTILLA_HOME: stateDir };
    const up = await flotilla('up', '--demo', 'bookinfo', '--detach', '--port', '0');
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const m = /^dashboard +(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/m.exec(up.stdout);
    assert.ok(m, `no dashboard line in:\n${up.stdout}`);
    link = m[1] as string;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ({ page, errors } = await watchedPage(context));
  });

  after(async () => {
    await browser?.close();
    if (stateDir) await flotilla('down');
    if (home) await rm(home, { recursive: true, force: true });
    for (const path of shots.saved) console.log(`screenshot: ${path}`);
  });

  it('signs in from the printed link and drops the token from the address bar', async () => {
    await page.goto(link);
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'live' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/clusters');
    const token = decodeURIComponent(link.slice(link.indexOf('#token=') + 7));
    assert.equal(await page.evaluate(() => sessionStorage.getItem('flotilla.token')), token);
    const nav = page.getByRole('navigation', { name: 'Views' });
    for (const name of ['Clusters', 'Placement', 'Traffic', 'Policies']) {
      await nav.getByRole('link', { name }).waitFor();
    }
  });

  it('clusters: mode, readiness, version, capacity and taints as kubectl reports them', async () => {
    const clusters = (await json('karmada-apiserver', 'get', 'clusters')).items;
    assert.ok(clusters.length >= 2);
    await until('one card per cluster', 20_000, async () =>
      (await page.locator('article[data-cluster]').count()) === clusters.length ? true : undefined,
    );
    for (const c of clusters) {
      const card = `article[data-cluster="${c.metadata.name}"]`;
      const ready = c.status.conditions.find((x: Json) => x.type === 'Ready');
      assert.equal(await text(`${card} [data-field=mode]`), c.spec.syncMode);
      assert.equal(await text(`${card} [data-field=version]`), c.status.kubernetesVersion);
      assert.equal(await text(`${card} [data-field=ready]`), ready.status === 'True' ? 'Ready' : 'Not ready');
      const taints = (c.spec.taints ?? []).map(
        (t: Json) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`,
      );
      assert.equal(await text(`${card} [data-field=taints]`), taints.length ? taints.join('') : 'none');
      const pods = Number(c.status.resourceSummary.allocatable.pods).toLocaleString('en');
      assert.match(await text(`${card} [data-resource=pods]`), new RegExp(`free of ${pods}$`));
      const history = page.getByRole('list', { name: `${c.metadata.name} readiness history` });
      assert.match((await history.textContent()) ?? '', new RegExp(ready.status));
    }
    await shots.take(page, 'clusters');
  });

  it('placement: every binding a row, a cell per target cluster with ready/assigned replicas', async () => {
    await go('#/placement');
    const clusters = (await json('karmada-apiserver', 'get', 'clusters')).items.map(
      (c: Json) => c.metadata.name,
    );
    await until('the grid to match the bindings and the members', 60_000, async () => {
      const bindings = (await json('karmada-apiserver', 'get', 'resourcebindings', '-A')).items;
      if ((await page.locator('tr[data-template]').count()) !== bindings.length) return undefined;
      const members = new Map<string, Json[]>();
      for (const c of clusters) members.set(c, (await json(c, 'get', 'deployments', '-A')).items);
      for (const b of bindings) {
        const r = b.spec.resource;
        const row = `tr[data-template="${r.namespace}/${r.kind}/${r.name}"]`;
        for (const c of clusters) {
          const target = (b.spec.clusters ?? []).find((t: Json) => t.name === c);
          const cell = page.locator(`${row} td[data-cluster="${c}"]`);
          if (!target) {
            if ((await cell.count()) !== 0) return undefined;
            continue;
          }
          if (r.kind !== 'Deployment') {
            if ((await cell.getAttribute('data-state')) !== 'ready') return undefined;
            continue;
          }
          const member = members.get(c)?.find((d) => d.metadata.name === r.name);
          const want = `${member?.status?.readyReplicas ?? 0}/${target.replicas}`;
          if (((await cell.textContent()) ?? '').trim() !== want) return undefined;
        }
      }
      return true;
    });
    await shots.take(page, 'placement');

    const bindings = (await json('karmada-apiserver', 'get', 'resourcebindings', '-A')).items;
    const byReviews = bindings
      .filter(
        (b: Json) => b.metadata.annotations?.['propagationpolicy.karmada.io/name'] === 'reviews-propagation',
      )
      .map((b: Json) => `default/${b.spec.resource.kind}/${b.spec.resource.name}`)
      .sort();
    await page.getByLabel('Policy').selectOption('PropagationPolicy default/reviews-propagation');
    const shown = await page
      .locator('tr[data-template]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-template') ?? '').sort());
    assert.deepEqual(shown, byReviews);
    await shots.take(page, 'placement-filtered');
    await page.getByLabel('Policy').selectOption('');
  });

  it('follows reviews-v1 to its explanation, the same as flotilla explain prints', async () => {
    await page.getByRole('link', { name: 'reviews-v1', exact: true }).click();
    await page.getByRole('heading', { name: 'Deployment default/reviews-v1' }).waitFor();
    const explained = await flotilla('explain', 'deployment/reviews-v1');
    assert.equal(explained.code, 0, explained.stderr);
    const cli = explained.stdout.trimEnd();
    await until('the page to show the explain text', 20_000, async () =>
      (await text('[data-field=explain-text]')) === cli ? true : undefined,
    );
    const claimed = /^ {2}claimed by: +(.+)$/m.exec(cli)?.[1];
    assert.equal(await text('[data-field=claimed-by]'), claimed);
    // Each cluster's FILTER and SELECTED columns as the CLI's verdict table has them.
    const rows = cli.split('\n').filter((l) => /^ {2}\S+ +(fits|rejected) /.test(l));
    assert.ok(rows.length >= 2, cli);
    for (const line of rows) {
      const cols = line.trim().split(/\s{2,}/);
      const row = `tr[data-cluster="${cols[0]}"]`;
      assert.equal(await text(`${row} [data-field=filter]`), cols[1]);
      assert.equal(await text(`${row} [data-field=selected]`), cols[cols.length - 1]);
    }
    await page.getByRole('table', { name: 'Works' }).waitFor();
    await shots.take(page, 'workload-reviews-v1');
  });

  it('policies: each PropagationPolicy with the templates it claims', async () => {
    await go('#/policies');
    const policies = (await json('karmada-apiserver', 'get', 'propagationpolicies', '-A')).items;
    const bindings = (await json('karmada-apiserver', 'get', 'resourcebindings', '-A')).items;
    for (const p of policies) {
      const claims = bindings
        .filter(
          (b: Json) => b.metadata.annotations?.['propagationpolicy.karmada.io/name'] === p.metadata.name,
        )
        .map((b: Json) => `${b.spec.resource.kind} ${b.spec.resource.name}`)
        .sort();
      const list = page.getByRole('list', { name: `Claimed by ${p.metadata.namespace}/${p.metadata.name}` });
      await until(`the claims of ${p.metadata.name}`, 20_000, async () => {
        const items = (await list.getByRole('listitem').allTextContents()).map((s) => s.trim()).sort();
        return JSON.stringify(items) === JSON.stringify(claims) ? true : undefined;
      });
    }
    await shots.take(page, 'policies');
  });

  it('a cordoned cluster shows its taint within seconds, and loses it on uncordon', async () => {
    await go('#/clusters');
    const taints = '[data-cluster="member2"] [data-field=taints]';
    await until('member2 untainted', 20_000, async () =>
      (await text(taints)) === 'none' ? true : undefined,
    );
    const cordon = await flotilla('cordon', 'member2');
    assert.equal(cordon.code, 0, cordon.stderr);
    // Timed from the write the CLI made, not from the CLI's own start.
    const started = Date.now();
    const want = (await json('karmada-apiserver', 'get', 'cluster', 'member2')).spec.taints
      .map((t: Json) => `${t.key}:${t.effect}`)
      .join('');
    assert.match(want, /cluster\.karmada\.io\/unschedulable:NoSchedule/);
    await until(
      'the taint on the page',
      15_000,
      async () => ((await text(taints)) === want ? true : undefined),
      100,
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`cordon visible ${seconds.toFixed(1)} s after flotilla cordon returned`);
    assert.ok(seconds < 5, `the taint took ${seconds} s to show`);
    await shots.take(page, 'clusters-cordoned');
    assert.equal((await flotilla('uncordon', 'member2')).code, 0);
    await until(
      'the taint gone',
      15_000,
      async () => ((await text(taints)) === 'none' ? true : undefined),
      100,
    );
  });

  it('a new Deployment and its policy appear in their cells as they are placed', async () => {
    await go('#/placement');
    const file = join(home, 'dash-web.yaml');
    await writeFile(file, NEW_WORKLOAD);
    const started = Date.now();
    await kubectl('karmada-apiserver', 'apply', '-f', file);
    const row = 'tr[data-template="default/Deployment/dash-web"]';
    await page.locator(row).waitFor({ timeout: 30_000 });
    console.log(`new workload row after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await until('dash-web ready in its cells', 90_000, async () => {
      const b = await json('karmada-apiserver', 'get', 'resourcebinding', 'dash-web-deployment');
      const targets = b.spec.clusters ?? [];
      if (targets.length !== 2) return undefined;
      for (const t of targets) {
        const d = await json(t.name, 'get', 'deployment', 'dash-web');
        const want = `${d.status?.readyReplicas ?? 0}/${t.replicas}`;
        if (d.status?.readyReplicas !== t.replicas) return undefined;
        if ((await text(`${row} td[data-cluster="${t.name}"]`)) !== want) return undefined;
      }
      return true;
    });
    await shots.take(page, 'placement-new-workload');
  });

  it("shows reviews splitting across v1, v2 and v3 as the gateway's answers do", async (t) => {
    const endpoints = JSON.parse(await readFile(join(stateDir, 'endpoints.json'), 'utf8'));
    if (!endpoints.mesh || !endpoints.gateway) {
      t.skip('this flotilla up runs no mesh or gateway yet (endpoints.json records neither)');
      return;
    }
    await go('#/traffic?service=default%2Freviews');
    // The seed's browser refreshes, as a loop: count who served the reviews on each page.
    const served = new Map<string, number>();
    for (let i = 0; i < 90; i++) {
      const res = await fetch(`${endpoints.gateway}/productpage`);
      assert.equal(res.status, 200);
      const version = /Reviews served by: reviews-(v\d)-/.exec(await res.text())?.[1] ?? 'none';
      served.set(version, (served.get(version) ?? 0) + 1);
    }
    assert.deepEqual([...served.keys()].sort(), ['v1', 'v2', 'v3']);
    for (const [version, n] of served) assert.ok(n >= 15, `${version} served only ${n} of 90 pages`);
    const split = page.getByRole('table', { name: 'Request split of reviews' });
    await until('the page to count what the gateway served', 30_000, async () => {
      const rows = await split
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.getAttribute('data-version'),
            tr.querySelector('[data-field=total]')?.textContent,
          ]),
        );
      const totals = new Map<string, number>();
      for (const [v, n] of rows) totals.set(v ?? '', (totals.get(v ?? '') ?? 0) + Number(n));
      return [...served].every(([v, n]) => totals.get(v) === n) ? true : undefined;
    });
    await shots.take(page, 'traffic-bookinfo');
  });

  it('fits a narrow window without sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    for (const route of ['clusters', 'placement', 'traffic', 'policies']) {
      await go(`#/${route}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `#/${route} is ${overflow}px wider than the window`);
      await shots.take(page, `narrow-${route}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('logged no console errors', () => {
    assert.deepEqual(errors, []);
  });

  it("refuses a wrong token with the API server's 401 and asks for another", async () => {
    const origin = new URL(link).origin;
    const none = await fetch(`${origin}/api/views/clusters`);
    assert.equal(none.status, 401);
    assert.equal((await none.json()).kind, 'Status');
    const wrong = await fetch(`${origin}/api/views/clusters`, { headers: { authorization: 'Bearer wrong' } });
    assert.equal(wrong.status, 401);
    const other = await context.browser()?.newContext();
    assert.ok(other);
    const p = await other.newPage();
    await p.goto(`${origin}/#token=wrong`);
    await p.getByRole('alert').filter({ hasText: 'refused the token' }).waitFor();
    await p.getByLabel('Bearer token').waitFor();
    await other.close();
  });
});
