import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { ApiMetrics, metricVerb, requestKind } from './metrics.ts';

describe('ApiMetrics', () => {
  it('renders request counts and durations with Kubernetes names and labels', async () => {
    const m = new ApiMetrics({ defaultMetrics: false });
    const deploy = {
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      subresource: '',
      scope: 'namespace',
    };
    m.observeRequest({ verb: 'LIST', ...deploy, code: 200, seconds: 0.01 });
    m.observeRequest({ verb: 'LIST', ...deploy, code: 200, seconds: 0.02 });
    m.observeRequest({ verb: 'APPLY', ...deploy, scope: 'resource', dryRun: 'All', code: 201, seconds: 0.3 });
    const { contentType, body } = await m.render();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.ok(
      body.includes(
        'apiserver_request_total{verb="LIST",dry_run="",group="apps",version="v1",resource="deployments",subresource="",scope="namespace",component="apiserver",code="200"} 2',
      ),
      body,
    );
    assert.ok(body.includes('apiserver_request_total{verb="APPLY",dry_run="All"'));
    assert.match(
      body,
      /apiserver_request_duration_seconds_bucket\{le="0\.025",verb="LIST",dry_run="",group="apps",version="v1",resource="deployments",subresource="",scope="namespace",component="apiserver"\} 2/,
    );
    assert.match(body, /apiserver_request_duration_seconds_count\{verb="APPLY".*\} 1/);
    assert.match(body, /# TYPE apiserver_request_duration_seconds histogram/);
  });

  it('tracks in-flight requests per request kind', async () => {
    const m = new ApiMetrics({ defaultMetrics: false });
    m.inflight(+1);
    m.inflight(+1);
    m.inflight(+1, 'mutating');
    m.inflight(-1);
    const { body } = await m.render();
    assert.ok(body.includes('apiserver_current_inflight_requests{request_kind="readOnly"} 1'), body);
    assert.ok(body.includes('apiserver_current_inflight_requests{request_kind="mutating"} 1'), body);
  });

  it('reports registered watchers and stored objects', async () => {
    const m = new ApiMetrics({ defaultMetrics: false });
    const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
    m.watchers(gvk, +1);
    m.watchers(gvk, +1);
    m.watchers(gvk, -1);
    m.storageObjects('deployments.apps', 7);
    const { body } = await m.render();
    assert.ok(
      body.includes('apiserver_registered_watchers{group="apps",version="v1",kind="Deployment"} 1'),
      body,
    );
    assert.ok(body.includes('apiserver_storage_objects{resource="deployments.apps"} 7'), body);
  });

  it('includes default process metrics, on its own registry only', async () => {
    const a = new ApiMetrics();
    const b = new ApiMetrics();
    a.observeRequest({ verb: 'GET', code: 200, seconds: 0.001 });
    const bodyA = (await a.render()).body;
    assert.match(bodyA, /process_cpu_user_seconds_total/);
    assert.match(bodyA, /nodejs_heap_size_total_bytes/);
    assert.ok(!(await b.render()).body.includes('apiserver_request_total{'));
    assert.ok(!(await globalRegistry.metrics()).includes('apiserver_request_total'));
  });
});

describe('metricVerb / requestKind', () => {
  const cases: [string, string][] = [
    ['GET', 'GET'],
    ['get', 'GET'],
    ['list', 'LIST'],
    ['watch', 'WATCH'],
    ['create', 'POST'],
    ['update', 'PUT'],
    ['patch', 'PATCH'],
    ['apply', 'APPLY'],
    ['deletecollection', 'DELETECOLLECTION'],
    ['Delete', 'DELETE'],
    ['BREW', 'other'],
  ];
  for (const [verb, want] of cases) it(`${verb} → ${want}`, () => assert.equal(metricVerb(verb), want));
  it('classifies methods', () => {
    assert.equal(requestKind('GET'), 'readOnly');
    assert.equal(requestKind('PATCH'), 'mutating');
  });
});
