/**
 * Bad input gets a Kubernetes Status with a clear reason, and the server keeps serving.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/apiserver.ts';

describe('bad input', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  const cm = (name: string, data: unknown = { a: 'b' }) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data,
  });

  it('answers malformed JSON with 400 BadRequest', async () => {
    const r = await t.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      '{"apiVersion": "v1", "kind": ',
    );
    assert.equal(r.status, 400);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, /JSON/);
  });

  it('answers malformed YAML with 400 BadRequest', async () => {
    const r = await t.request('POST', '/api/v1/namespaces/default/configmaps', 'kind: [unclosed', {
      'content-type': 'application/yaml',
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
  });

  it('answers unknown kinds with 404 NotFound', async () => {
    const r = await t.request('GET', '/apis/example.com/v1/namespaces/default/widgets');
    assert.equal(r.status, 404);
    assert.equal(r.body.reason, 'NotFound');
    const path = join(t.dir, 'widget.yaml');
    await writeFile(path, 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    const k = await t.kubectl(['apply', '-f', path]);
    assert.notEqual(k.code, 0);
    assert.match(
      k.stderr,
      /no matches for kind "Widget" in version "example.com\/v1"|resource mapping not found/,
    );
  });

  it('answers a missing name with 422 Invalid naming metadata.name', async () => {
    const r = await t.request('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {},
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, 'Invalid');
    assert.equal(r.body.details.causes[0].field, 'metadata.name');
  });

  it('answers wrong field types with a Status naming the field', async () => {
    const r = await t.request('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'typed' },
      spec: {
        replicas: 'three',
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    });
    assert.ok(r.status === 400 || r.status === 422, `status ${r.status}`);
    assert.equal(r.body.kind, 'Status');
    assert.match(JSON.stringify(r.body), /spec\.replicas/);
  });

  it('answers invalid label selectors with 400 BadRequest', async () => {
    const r = await t.request(
      'GET',
      '/api/v1/namespaces/default/configmaps?labelSelector=' + encodeURIComponent('app in (a'),
    );
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    const k = await t.kubectl(['get', 'cm', '-l', 'a=b=c']);
    assert.notEqual(k.code, 0);
  });

  it('refuses bodies over 3 MiB with 413', async () => {
    const big = cm('big', { blob: 'x'.repeat(3 * 1024 * 1024 + 10) });
    const r = await t.request('POST', '/api/v1/namespaces/default/configmaps', big);
    assert.equal(r.status, 413);
    assert.equal(r.body.reason, 'RequestEntityTooLarge');
  });

  it('keeps serving after all of that', async () => {
    const r = await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('fine'));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const g = await t.request('GET', '/api/v1/namespaces/default/configmaps/fine');
    assert.equal(g.status, 200);
    assert.equal(g.body.data.a, 'b');
  });

  it('refuses creating in a namespace that does not exist', async () => {
    const r = await t.request('POST', '/api/v1/namespaces/nope/configmaps', cm('x'));
    assert.equal(r.status, 404);
    assert.match(r.body.message, /namespaces "nope" not found/);
  });

  it('answers a stale update with 409 Conflict', async () => {
    const created = await t.request('POST', '/api/v1/namespaces/default/configmaps', cm('occ'));
    const stale = { ...created.body, data: { a: 'c' } };
    const first = await t.request('PUT', '/api/v1/namespaces/default/configmaps/occ', stale);
    assert.equal(first.status, 200);
    const second = await t.request('PUT', '/api/v1/namespaces/default/configmaps/occ', {
      ...stale,
      data: { a: 'd' },
    });
    assert.equal(second.status, 409);
    assert.equal(second.body.reason, 'Conflict');
  });
});
