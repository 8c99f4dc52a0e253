/**
 * Real kubectl against a real API server: the seed's manifests apply, re-apply and delete as they
 * do against kube-apiserver and Karmada, and the everyday commands print what users expect.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/apiserver.ts';

const SCENARIO = join(import.meta.dirname, '../../../shared/scenario');
const EXAMPLES = join(import.meta.dirname, '../../examples/bookinfo');

async function scenarioFile(name: string): Promise<string> {
  try {
    return await readFile(join(EXAMPLES, name), 'utf8');
  } catch {
    return readFile(join(SCENARIO, name), 'utf8');
  }
}

describe('kubectl apply of the seed scenario', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('creates every object in each scenario file', async () => {
    for (const file of ['bookinfo-karmada.yaml', 'propagation.yaml', 'bookinfo-gateway.yaml']) {
      const path = join(t.dir, file);
      await writeFile(path, await scenarioFile(file));
      const r = await t.kubectl(['apply', '-f', path]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      for (const line of lines) assert.match(line, / created$/, `${file}: ${line}`);
      const expected = (await scenarioFile(file)).split(/^---$/m).filter((d) => /kind:/.test(d)).length;
      assert.equal(lines.length, expected, r.stdout);
    }
  });

  it('re-applies a changed copy: configured for the changed object, unchanged for the rest, unrelated fields kept', async () => {
    const label = await t.kubectl(['label', 'deployment', 'reviews-v2', 'team=books']);
    assert.equal(label.code, 0, label.stderr);
    const original = await scenarioFile('bookinfo-karmada.yaml');
    const changed = original.replace(
      /name: reviews-v2\n(\s+labels:[\s\S]*?replicas: )1/,
      (_m, head: string) => `name: reviews-v2\n${head}3`,
    );
    assert.notEqual(changed, original);
    const path = join(t.dir, 'changed.yaml');
    await writeFile(path, changed);
    const r = await t.kubectl(['apply', '-f', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment.apps\/reviews-v2 configured/);
    const unchanged = r.stdout
      .trim()
      .split('\n')
      .filter((l) => !l.includes('reviews-v2'));
    for (const line of unchanged) assert.match(line, / unchanged$/, line);
    const got = await t.kubectl(['get', 'deployment', 'reviews-v2', '-o', 'json']);
    const obj = JSON.parse(got.stdout);
    assert.equal(obj.spec.replicas, 3);
    assert.equal(obj.metadata.labels.team, 'books', 'a label set by hand survives re-apply');
    assert.equal(obj.metadata.generation, 2);
  });

  it('prints deployments, policies and virtual services as real servers do', async () => {
    const deploy = await t.kubectl(['get', 'deployment']);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout.split('\n')[0]!, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    assert.match(deploy.stdout, /^reviews-v2\s+0\/3\s+0\s+0\s+\d+s$/m);
    const pp = await t.kubectl(['get', 'pp']);
    assert.equal(pp.code, 0, pp.stderr);
    assert.match(pp.stdout, /produtpage-propagation/);
    assert.match(pp.stdout.split('\n')[0]!, /^NAME\s+/);
    const vs = await t.kubectl(['get', 'vs']);
    assert.equal(vs.code, 0, vs.stderr);
    assert.match(vs.stdout, /^bookinfo\s+\["bookinfo-gateway"\]\s+\["\*"\]\s+\d+s$/m);
    const all = await t.kubectl(['get', 'all']);
    assert.match(all.stdout, /service\/productpage/);
    assert.match(all.stdout, /deployment.apps\/productpage-v1/);
    const wide = await t.kubectl(['get', 'deployment', '-o', 'wide']);
    assert.match(wide.stdout.split('\n')[0]!, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide.stdout, /examples-bookinfo-reviews-v2:1.19.1/);
    const labels = await t.kubectl(['get', 'svc', '--show-labels']);
    assert.match(labels.stdout, /app=details,service=details/);
    const yaml = await t.kubectl(['get', 'svc', 'details', '-o', 'yaml']);
    assert.match(yaml.stdout, /clusterIP: \d+\.\d+\.\d+\.\d+/);
    assert.match(yaml.stdout, /protocol: TCP/);
  });

  it('serves describe, api-resources, annotate, scale and edit', async () => {
    const d = await t.kubectl(['describe', 'deployment', 'details-v1']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /StrategyType:\s+RollingUpdate/);
    const ar = await t.kubectl(['api-resources']);
    assert.match(
      ar.stdout,
      /propagationpolicies\s+pp\s+policy.karmada.io\/v1alpha1\s+true\s+PropagationPolicy/,
    );
    assert.match(ar.stdout, /virtualservices\s+vs\s+networking.istio.io\/v1\s+true\s+VirtualService/);
    const an = await t.kubectl(['annotate', 'svc', 'details', 'owner=books']);
    assert.equal(an.code, 0, an.stderr);
    const sc = await t.kubectl(['scale', 'deployment', 'details-v1', '--replicas=4']);
    assert.equal(sc.code, 0, sc.stderr);
    assert.match(sc.stdout, /deployment.apps\/details-v1 scaled/);
    const editor = join(t.dir, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/replicas: 4/replicas: 5/" "$1"\n', { mode: 0o755 });
    const ed = await t.kubectl(['edit', 'deployment', 'details-v1'], {
      env: { EDITOR: editor, KUBE_EDITOR: editor },
    });
    assert.equal(ed.code, 0, ed.stderr);
    assert.match(ed.stdout, /edited/);
    const got = JSON.parse((await t.kubectl(['get', 'deploy', 'details-v1', '-o', 'json'])).stdout);
    assert.equal(got.spec.replicas, 5);
    const svc = JSON.parse((await t.kubectl(['get', 'svc', 'details', '-o', 'json'])).stdout);
    assert.equal(svc.metadata.annotations.owner, 'books');
  });

  it('diffs, applies server-side and waits for conditions and deletion', async () => {
    const base = await scenarioFile('bookinfo-gateway.yaml');
    const path = join(t.dir, 'gw2.yaml');
    await writeFile(path, base.replace('number: 9080', 'number: 9081'));
    const diff = await t.kubectl(['diff', '-f', path]);
    assert.equal(diff.code, 1, diff.stderr);
    assert.match(diff.stdout, /-\s+number: 9080/);
    assert.match(diff.stdout, /\+\s+number: 9081/);
    const ssa = await t.kubectl(['apply', '--server-side', '-f', path]);
    assert.equal(ssa.code, 0, ssa.stderr);
    assert.match(ssa.stdout, /virtualservice.networking.istio.io\/bookinfo serverside-applied/);
    const patch = await t.kubectl([
      'patch',
      'deployment',
      'productpage-v1',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}}',
    ]);
    assert.equal(patch.code, 0, patch.stderr);
    const wait = await t.kubectl([
      'wait',
      '--for=condition=Available',
      'deployment/productpage-v1',
      '--timeout=10s',
    ]);
    assert.equal(wait.code, 0, wait.stderr);
    assert.match(wait.stdout, /condition met/);
    const waitDelete = t.kubectl(['wait', '--for=delete', 'vs/bookinfo', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 500));
    const del = await t.kubectl(['delete', '-f', path]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /deleted/);
    const w = await waitDelete;
    assert.equal(w.code, 0, w.stderr);
  });
});
