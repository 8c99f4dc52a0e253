import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURE_DEFS, fixtureDef } from './discovery.fixtures.ts';
import {
  aggregatedDiscovery,
  apiResourceList,
  compareKubeVersions,
  legacyApiVersions,
  legacyGroup,
  legacyGroupList,
  negotiateDiscovery,
  servedGroups,
} from './discovery.ts';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

describe('negotiateDiscovery', () => {
  const cases: [string, string | undefined, string][] = [
    [
      'kubectl 1.30-1.33',
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      'v2',
    ],
    [
      'kubectl 1.27-1.29',
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      'v2beta1',
    ],
    ['legacy fallback fetch', 'application/json, */*', 'legacy'],
    ['no header', undefined, 'legacy'],
    [
      'spaces and quoted params',
      'application/json; g="apidiscovery.k8s.io"; v=v2; as=APIGroupDiscoveryList',
      'v2',
    ],
    [
      'unknown aggregated version',
      'application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList',
      'legacy',
    ],
    [
      'q weights respected',
      'application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      'v2',
    ],
    [
      'json first wins',
      'application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      'legacy',
    ],
  ];
  for (const [name, accept, want] of cases) {
    it(name, () => assert.equal(negotiateDiscovery(accept), want));
  }
});

describe('compareKubeVersions / servedGroups', () => {
  it('orders Kubernetes versions', () => {
    const sorted = ['v1alpha1', 'v1beta1', 'v2', 'foo', 'v1', 'v1beta2', 'v2alpha1'].sort(
      compareKubeVersions,
    );
    assert.deepEqual(sorted, ['v2', 'v1', 'v1beta2', 'v1beta1', 'v2alpha1', 'v1alpha1', 'foo']);
  });
  it('keeps each def preferred version first and puts core, then built-in groups first', () => {
    const groups = servedGroups([
      fixtureDef({ group: 'x.io', versions: ['v1beta1', 'v1'], kind: 'A' }),
      fixtureDef({ group: 'x.io', versions: ['v1beta1'], kind: 'B' }),
      ...FIXTURE_DEFS,
    ]);
    assert.deepEqual(
      groups.map((g) => g.group),
      ['', 'apps', 'networking.istio.io', 'policy.karmada.io', 'x.io'],
    );
    assert.deepEqual(groups.find((g) => g.group === 'x.io')?.versions, ['v1beta1', 'v1']);
    assert.deepEqual(groups.find((g) => g.group === 'networking.istio.io')?.versions, [
      'v1',
      'v1beta1',
      'v1alpha3',
    ]);
  });
});

describe('aggregatedDiscovery', () => {
  it('answers /apis with the exact v2 content type and the §3.2 body', () => {
    const res = aggregatedDiscovery(FIXTURE_DEFS, 'groups', 'v2');
    assert.equal(res.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const body = res.body as { kind: string; apiVersion: string; metadata: object; items: unknown[] };
    assert.equal(body.kind, 'APIGroupDiscoveryList');
    assert.equal(body.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.deepEqual(body.metadata, {});
    assert.deepEqual(body.items[0], {
      metadata: { name: 'apps', creationTimestamp: null },
      versions: [
        {
          version: 'v1',
          freshness: 'Current',
          resources: [
            {
              resource: 'deployments',
              responseKind: { group: '', version: '', kind: 'Deployment' },
              scope: 'Namespaced',
              singularResource: 'deployment',
              verbs: ALL_VERBS,
              shortNames: ['deploy'],
              categories: ['all'],
              subresources: [
                {
                  subresource: 'status',
                  responseKind: { group: '', version: '', kind: 'Deployment' },
                  verbs: ['get', 'patch', 'update'],
                },
                {
                  subresource: 'scale',
                  responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
                  verbs: ['get', 'patch', 'update'],
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('lists versions preferred first, each with only its own resources', () => {
    const body = aggregatedDiscovery(FIXTURE_DEFS, 'groups', 'v2').body as {
      items: {
        metadata: { name: string };
        versions: { version: string; resources: { resource: string }[] }[];
      }[];
    };
    const istio = body.items.find((i) => i.metadata.name === 'networking.istio.io');
    assert.deepEqual(
      istio?.versions.map((v) => v.version),
      ['v1', 'v1beta1', 'v1alpha3'],
    );
    assert.ok(
      istio?.versions.every(
        (v) => v.resources.length === 1 && v.resources[0]?.resource === 'virtualservices',
      ),
    );
  });

  it('gives cluster-scoped kinds scope Cluster and all eight verbs', () => {
    const body = aggregatedDiscovery(FIXTURE_DEFS, 'groups', 'v2beta1').body as {
      items: { metadata: { name: string }; versions: { resources: Record<string, unknown>[] }[] }[];
    };
    const cpp = body.items.find((i) => i.metadata.name === 'policy.karmada.io')?.versions[0]?.resources[0];
    assert.equal(cpp?.scope, 'Cluster');
    assert.deepEqual(cpp?.verbs, ALL_VERBS);
    assert.equal(cpp?.subresources, undefined);
  });

  it('answers /api with one unnamed core item, v2beta1 when asked', () => {
    const res = aggregatedDiscovery(FIXTURE_DEFS, 'core', 'v2beta1');
    assert.equal(
      res.contentType,
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
    );
    const body = res.body as {
      apiVersion: string;
      items: { metadata: Record<string, unknown>; versions: { resources: Record<string, unknown>[] }[] }[];
    };
    assert.equal(body.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    assert.equal(body.items.length, 1);
    assert.deepEqual(body.items[0]?.metadata, { creationTimestamp: null });
    const pods = body.items[0]?.versions[0]?.resources.find((r) => r.resource === 'pods');
    assert.deepEqual(pods?.subresources, [
      {
        subresource: 'status',
        responseKind: { group: '', version: '', kind: 'Pod' },
        verbs: ['get', 'patch', 'update'],
      },
      { subresource: 'log', responseKind: { group: '', version: '', kind: 'Pod' }, verbs: ['get'] },
    ]);
  });

  it('has no core item when no core kinds are served', () => {
    const body = aggregatedDiscovery(FIXTURE_DEFS.slice(2), 'core', 'v2').body as { items: unknown[] };
    assert.deepEqual(body.items, []);
  });
});

describe('legacy discovery', () => {
  it('APIVersions carries serverAddressByClientCIDRs', () => {
    assert.deepEqual(legacyApiVersions({ serverAddress: '10.0.0.1:6443' }), {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
    });
  });

  it('APIGroupList lists named groups with the preferred version', () => {
    const list = legacyGroupList(FIXTURE_DEFS) as { kind: string; groups: Record<string, unknown>[] };
    assert.equal(list.kind, 'APIGroupList');
    assert.equal(list.groups.length, 3);
    assert.deepEqual(
      list.groups.find((g) => g.name === 'networking.istio.io'),
      {
        name: 'networking.istio.io',
        versions: [
          { groupVersion: 'networking.istio.io/v1', version: 'v1' },
          { groupVersion: 'networking.istio.io/v1beta1', version: 'v1beta1' },
          { groupVersion: 'networking.istio.io/v1alpha3', version: 'v1alpha3' },
        ],
        preferredVersion: { groupVersion: 'networking.istio.io/v1', version: 'v1' },
      },
    );
  });

  it('APIGroup for one group, undefined for unknown or core', () => {
    assert.deepEqual(legacyGroup(FIXTURE_DEFS, 'apps'), {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    assert.equal(legacyGroup(FIXTURE_DEFS, 'nope.io'), undefined);
    assert.equal(legacyGroup(FIXTURE_DEFS, ''), undefined);
  });

  it('APIResourceList for apps/v1 includes status and autoscaling/v1 Scale', () => {
    assert.deepEqual(apiResourceList(FIXTURE_DEFS, 'apps', 'v1'), {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'apps/v1',
      resources: [
        {
          name: 'deployments',
          singularName: 'deployment',
          namespaced: true,
          kind: 'Deployment',
          verbs: ALL_VERBS,
          shortNames: ['deploy'],
          categories: ['all'],
        },
        {
          name: 'deployments/scale',
          singularName: '',
          namespaced: true,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        },
        {
          name: 'deployments/status',
          singularName: '',
          namespaced: true,
          kind: 'Deployment',
          verbs: ['get', 'patch', 'update'],
        },
      ],
    });
  });

  it('APIResourceList for core v1 includes pods/log and cluster-scoped namespaces', () => {
    const list = apiResourceList(FIXTURE_DEFS, '', 'v1') as {
      groupVersion: string;
      resources: Record<string, unknown>[];
    };
    assert.equal(list.groupVersion, 'v1');
    assert.deepEqual(
      list.resources.map((r) => r.name),
      ['namespaces', 'pods', 'pods/log', 'pods/status'],
    );
    assert.equal(list.resources[0]?.namespaced, false);
    assert.deepEqual(list.resources[2], {
      name: 'pods/log',
      singularName: '',
      namespaced: true,
      kind: 'Pod',
      verbs: ['get'],
    });
  });

  it('serves every version of a multi-version group and 404s the rest', () => {
    for (const v of ['v1', 'v1beta1', 'v1alpha3']) {
      assert.ok(apiResourceList(FIXTURE_DEFS, 'networking.istio.io', v), v);
    }
    assert.equal(apiResourceList(FIXTURE_DEFS, 'networking.istio.io', 'v2'), undefined);
    assert.equal(apiResourceList(FIXTURE_DEFS, 'batch', 'v1'), undefined);
  });
});
