import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { FIXTURE_DEFS, fixtureDef } from './discovery.fixtures.ts';
import { openApiV3Document, openApiV3Hash, openApiV3Index, serveOpenApiV3 } from './openapi.ts';

type Op = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
} & Record<string, unknown>;
type Doc = {
  openapi: string;
  info: unknown;
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};

function doc(gvPath: string, defs = FIXTURE_DEFS): Doc {
  const d = openApiV3Document(defs, gvPath);
  assert.ok(d, `document ${gvPath}`);
  return d as unknown as Doc;
}

describe('openApiV3Index', () => {
  it('lists every served group/version, custom kinds and non-preferred versions included', () => {
    const index = openApiV3Index(FIXTURE_DEFS);
    assert.deepEqual(Object.keys(index.paths).sort(), [
      'api/v1',
      'apis/apps/v1',
      'apis/networking.istio.io/v1',
      'apis/networking.istio.io/v1alpha3',
      'apis/networking.istio.io/v1beta1',
      'apis/policy.karmada.io/v1alpha1',
    ]);
    for (const [gvPath, { serverRelativeURL }] of Object.entries(index.paths)) {
      assert.match(serverRelativeURL, new RegExp(`^/openapi/v3/${gvPath}\\?hash=[0-9A-F]{128}$`));
    }
  });

  it('hashes are the upper-case SHA-512 of the served document body', () => {
    const res = serveOpenApiV3(FIXTURE_DEFS, { path: '/openapi/v3/apis/apps/v1' });
    const hash = createHash('sha512')
      .update(res?.body as string)
      .digest('hex')
      .toUpperCase();
    assert.equal(openApiV3Hash(FIXTURE_DEFS, 'apis/apps/v1'), hash);
    assert.equal(
      openApiV3Index(FIXTURE_DEFS).paths['apis/apps/v1']?.serverRelativeURL,
      `/openapi/v3/apis/apps/v1?hash=${hash}`,
    );
  });

  it('changes only the affected hash when a def changes', () => {
    const changed = FIXTURE_DEFS.map((d) => (d.kind === 'Deployment' ? { ...d, namespaced: false } : d));
    assert.notEqual(openApiV3Hash(changed, 'apis/apps/v1'), openApiV3Hash(FIXTURE_DEFS, 'apis/apps/v1'));
    assert.equal(openApiV3Hash(changed, 'api/v1'), openApiV3Hash(FIXTURE_DEFS, 'api/v1'));
    const added = [...FIXTURE_DEFS, fixtureDef({ group: 'apps', versions: ['v1'], kind: 'ReplicaSet' })];
    assert.notEqual(openApiV3Hash(added, 'apis/apps/v1'), openApiV3Hash(FIXTURE_DEFS, 'apis/apps/v1'));
  });

  it('reuses the built documents for the same catalog content, frozen', () => {
    assert.equal(openApiV3Document(FIXTURE_DEFS, 'api/v1'), openApiV3Document([...FIXTURE_DEFS], 'api/v1'));
    assert.equal(
      openApiV3Index(FIXTURE_DEFS, { generation: 3 }),
      openApiV3Index(FIXTURE_DEFS, { generation: 3 }),
    );
    assert.ok(Object.isFrozen(openApiV3Document(FIXTURE_DEFS, 'api/v1')));
  });

  it('keeps servers in one process apart even when their generations collide', () => {
    const member = [...FIXTURE_DEFS.slice(0, 3)];
    const a = openApiV3Index(FIXTURE_DEFS, { generation: 1 });
    const b = openApiV3Index(member, { generation: 1 });
    assert.notDeepEqual(Object.keys(b.paths), Object.keys(a.paths));
    assert.equal(openApiV3Document(member, 'apis/policy.karmada.io/v1alpha1', { generation: 1 }), undefined);
  });
});

describe('openApiV3Document', () => {
  it('gives every kind a PATCH with its GVK and fieldValidation, namespaced path for namespaced kinds', () => {
    const patch = doc('apis/apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    assert.deepEqual(patch?.['x-kubernetes-group-version-kind'], {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    assert.ok(patch?.parameters?.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.equal(doc('apis/apps/v1').paths['/apis/apps/v1/deployments/{name}'], undefined);
  });

  it('uses the cluster-scoped path for cluster-scoped kinds', () => {
    const d = doc('apis/policy.karmada.io/v1alpha1');
    const patch = d.paths['/apis/policy.karmada.io/v1alpha1/clusterpropagationpolicies/{name}']?.patch;
    assert.deepEqual(patch?.['x-kubernetes-group-version-kind'], {
      group: 'policy.karmada.io',
      version: 'v1alpha1',
      kind: 'ClusterPropagationPolicy',
    });
    assert.ok(!Object.keys(d.paths).some((p) => p.includes('{namespace}')));
    const ns = doc('api/v1').paths['/api/v1/namespaces/{name}']?.patch;
    assert.deepEqual(ns?.['x-kubernetes-group-version-kind'], {
      group: '',
      version: 'v1',
      kind: 'Namespace',
    });
  });

  it('carries the version asked for, for every served version of a custom kind', () => {
    const patch = doc('apis/networking.istio.io/v1alpha3').paths[
      '/apis/networking.istio.io/v1alpha3/namespaces/{namespace}/virtualservices/{name}'
    ]?.patch;
    assert.deepEqual(patch?.['x-kubernetes-group-version-kind'], {
      group: 'networking.istio.io',
      version: 'v1alpha3',
      kind: 'VirtualService',
    });
  });

  it('puts fieldValidation on every PATCH (kubectl rejects the first one without it) and never declares SMP', () => {
    for (const [gvPath] of Object.entries(openApiV3Index(FIXTURE_DEFS).paths)) {
      for (const [path, item] of Object.entries(doc(gvPath).paths)) {
        const patch = item.patch;
        if (!patch) continue;
        assert.ok(patch['x-kubernetes-group-version-kind'], path);
        assert.ok(
          patch.parameters?.some((p) => p.name === 'fieldValidation' && p.in === 'query'),
          path,
        );
        assert.equal(patch.requestBody, undefined, path);
        assert.ok(!JSON.stringify(item).includes('strategic-merge-patch'), path);
      }
    }
  });

  it('serves status and scale subresources with their kinds', () => {
    const d = doc('apis/apps/v1');
    const base = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}';
    assert.equal(d.paths[`${base}/status`]?.patch?.['x-kubernetes-group-version-kind'] !== undefined, true);
    assert.deepEqual(d.paths[`${base}/scale`]?.patch?.['x-kubernetes-group-version-kind'], {
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    assert.deepEqual(Object.keys(d.paths[base] ?? {}).sort(), [
      'delete',
      'get',
      'parameters',
      'patch',
      'put',
    ]);
  });

  it('has a schema per kind tagged with x-kubernetes-group-version-kind', () => {
    const schema = doc('apis/apps/v1').components.schemas['io.k8s.api.apps.v1.Deployment'];
    assert.deepEqual(schema?.['x-kubernetes-group-version-kind'], [
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ]);
    assert.ok(doc('apis/networking.istio.io/v1').components.schemas['io.istio.networking.v1.VirtualService']);
  });

  it('is undefined for group/versions nobody serves', () => {
    assert.equal(openApiV3Document(FIXTURE_DEFS, 'apis/batch/v1'), undefined);
    assert.equal(openApiV3Document(FIXTURE_DEFS, 'apis/apps/v2'), undefined);
  });
});

describe('serveOpenApiV3', () => {
  const now = new Date('2025-01-02T03:04:05Z');

  it('serves the index as JSON with an ETag and no-cache', () => {
    const res = serveOpenApiV3(FIXTURE_DEFS, { path: '/openapi/v3' });
    assert.equal(res?.status, 200);
    assert.equal(res?.headers['Content-Type'], 'application/json');
    assert.equal(res?.headers['Cache-Control'], 'no-cache');
    assert.deepEqual(JSON.parse(res?.body as string), openApiV3Index(FIXTURE_DEFS));
    const again = serveOpenApiV3(FIXTURE_DEFS, { path: '/openapi/v3', ifNoneMatch: res?.headers.ETag ?? '' });
    assert.equal(again?.status, 304);
  });

  it('marks hashed documents public, immutable with an Expires a year ahead', () => {
    const hash = openApiV3Hash(FIXTURE_DEFS, 'api/v1') ?? '';
    const res = serveOpenApiV3(FIXTURE_DEFS, {
      path: '/openapi/v3/api/v1',
      hash,
      accept: 'application/json',
      now,
    });
    assert.equal(res?.status, 200);
    assert.deepEqual(res?.headers, {
      'Content-Type': 'application/json',
      ETag: `"${hash}"`,
      Vary: 'Accept',
      'Cache-Control': 'public, immutable',
      Expires: 'Fri, 02 Jan 2026 03:04:05 GMT',
    });
    assert.equal((JSON.parse(res?.body as string) as Doc).openapi, '3.0.0');
  });

  it('redirects a stale hash to the current URL', () => {
    const res = serveOpenApiV3(FIXTURE_DEFS, { path: '/openapi/v3/apis/apps/v1', hash: 'ABC' });
    assert.equal(res?.status, 301);
    assert.equal(
      res?.headers.Location,
      openApiV3Index(FIXTURE_DEFS).paths['apis/apps/v1']?.serverRelativeURL,
    );
  });

  it('omits cache headers without a hash, 404s unknown paths and 406s protobuf-only requests', () => {
    const plain = serveOpenApiV3(FIXTURE_DEFS, { path: '/openapi/v3/apis/apps/v1' });
    assert.equal(plain?.headers['Cache-Control'], undefined);
    assert.equal(serveOpenApiV3(FIXTURE_DEFS, { path: '/openapi/v3/apis/batch/v1' }), undefined);
    const pb = serveOpenApiV3(FIXTURE_DEFS, {
      path: '/openapi/v3/apis/apps/v1',
      accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf',
    });
    assert.equal(pb?.status, 406);
  });
});
