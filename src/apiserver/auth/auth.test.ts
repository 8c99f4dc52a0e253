import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import type { AuthorizationRequest, UserInfo } from '../types.ts';
import { controlPlaneAuthorizer } from './authorizer.ts';
import { bootstrapUser } from './bootstrap-token.ts';

const agent: UserInfo = {
  name: 'system:karmada:agent:m2',
  groups: ['system:karmada:agents', 'system:authenticated'],
};
const boot: UserInfo = {
  name: 'system:bootstrap:abcdef',
  groups: ['system:bootstrappers', 'system:authenticated'],
};
const anon: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

function req(
  verb: string,
  resource: string,
  extra: Partial<AuthorizationRequest> = {},
): AuthorizationRequest {
  const [res = '', sub = ''] = resource.split('/');
  const groups: Record<string, string> = {
    clusters: 'cluster.karmada.io',
    works: 'work.karmada.io',
    leases: 'coordination.k8s.io',
    certificatesigningrequests: 'certificates.k8s.io',
    deployments: 'apps',
    propagationpolicies: 'policy.karmada.io',
  };
  return {
    verb,
    group: groups[res] ?? '',
    resource: res,
    subresource: sub,
    namespace: '',
    name: '',
    ...extra,
  };
}

describe('the control plane authorizer', () => {
  const authorize = controlPlaneAuthorizer();
  const cases: [string, UserInfo, AuthorizationRequest, boolean][] = [
    ['admin does anything', { name: 'a', groups: ['system:masters'] }, req('delete', 'deployments'), true],
    ['agent lists all clusters', agent, req('list', 'clusters'), true],
    ['agent creates a cluster', agent, req('create', 'clusters'), true],
    ['agent gets its own cluster', agent, req('get', 'clusters', { name: 'm2' }), true],
    ["agent gets another's cluster", agent, req('get', 'clusters', { name: 'm1' }), false],
    ['agent updates its own cluster spec', agent, req('update', 'clusters', { name: 'm2' }), false],
    ['agent updates its own status', agent, req('update', 'clusters/status', { name: 'm2' }), true],
    ["agent updates another's status", agent, req('update', 'clusters/status', { name: 'm1' }), false],
    ['agent patches its own status', agent, req('patch', 'clusters/status', { name: 'm2' }), false],
    ['agent lists its Works', agent, req('list', 'works', { namespace: 'karmada-es-m2' }), true],
    [
      'agent updates its Work status',
      agent,
      req('update', 'works/status', { namespace: 'karmada-es-m2', name: 'w' }),
      true,
    ],
    ["agent lists another's Works", agent, req('list', 'works', { namespace: 'karmada-es-m1' }), false],
    ['agent lists every Work', agent, req('list', 'works'), false],
    [
      'agent deletecollection of its Works',
      agent,
      req('deletecollection', 'works', { namespace: 'karmada-es-m2' }),
      false,
    ],
    [
      'agent renews a lease',
      agent,
      req('update', 'leases', { namespace: 'karmada-cluster', name: 'm2' }),
      true,
    ],
    [
      'agent gets its Secret',
      agent,
      req('get', 'secrets', { namespace: 'karmada-cluster', name: 'm2' }),
      true,
    ],
    [
      "agent gets another's Secret",
      agent,
      req('get', 'secrets', { namespace: 'karmada-cluster', name: 'm1' }),
      false,
    ],
    [
      'agent creates a Secret in karmada-cluster',
      agent,
      req('create', 'secrets', { namespace: 'karmada-cluster' }),
      true,
    ],
    ['agent creates a Secret elsewhere', agent, req('create', 'secrets', { namespace: 'default' }), false],
    ['agent lists templates', agent, req('list', 'deployments', { namespace: 'default' }), false],
    ['agent reads policies', agent, req('list', 'propagationpolicies'), false],
    ['agent gets a namespace', agent, req('get', 'namespaces', { name: 'default' }), true],
    ['agent lists namespaces', agent, req('list', 'namespaces'), false],
    ['agent watches services', agent, req('watch', 'services'), true],
    ['agent creates events', agent, req('create', 'events', { namespace: 'default' }), true],
    ['agent reads discovery', agent, req('get', '', { path: '/apis' }), true],
    ['agent reads metrics', agent, req('get', '', { path: '/metrics' }), false],
    ['bootstrap creates a CSR', boot, req('create', 'certificatesigningrequests'), true],
    ['bootstrap reads its CSR', boot, req('get', 'certificatesigningrequests', { name: 'x' }), true],
    [
      'bootstrap approves a CSR',
      boot,
      req('update', 'certificatesigningrequests/approval', { name: 'x' }),
      false,
    ],
    ['bootstrap lists clusters', boot, req('list', 'clusters'), false],
    [
      'anonymous reads cluster-info',
      anon,
      req('get', 'configmaps', { namespace: 'kube-public', name: 'cluster-info' }),
      true,
    ],
    [
      'anonymous reads another ConfigMap',
      anon,
      req('get', 'configmaps', { namespace: 'kube-public', name: 'x' }),
      false,
    ],
    [
      'a static-token user keeps full rights',
      { name: 'alice', groups: ['dev', 'system:authenticated'] },
      req('delete', 'deployments'),
      true,
    ],
    [
      'an agent name without the agents group is no agent',
      { name: 'system:karmada:agent:m2', groups: ['system:authenticated'] },
      req('list', 'deployments'),
      true,
    ],
  ];
  for (const [name, user, request, allowed] of cases) {
    it(name, () => {
      const reason = authorize(user, request);
      assert.equal(reason === undefined, allowed, reason);
    });
  }

  it("names the agent's own namespace when refusing another's", () => {
    assert.match(
      authorize(agent, req('get', 'works', { namespace: 'karmada-es-m1', name: 'w' })) ?? '',
      /may only use its own execution namespace karmada-es-m2/,
    );
  });
});

describe('bootstrap tokens', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secret = (fields: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    data: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, b64(v)])),
  });
  const valid = {
    'token-id': 'abcdef',
    'token-secret': '0123456789abcdef',
    'usage-bootstrap-authentication': 'true',
    expiration: '2030-01-01T00:00:00Z',
    'auth-extra-groups': 'system:bootstrappers:karmada:default-cluster-token,system:masters',
  };
  const now = Date.parse('2029-01-01T00:00:00Z');

  it('authenticates a valid token as system:bootstrap:<id>, extra groups only under system:bootstrappers:', () => {
    assert.deepEqual(bootstrapUser(secret(valid), 'abcdef', '0123456789abcdef', now), {
      name: 'system:bootstrap:abcdef',
      groups: [
        'system:bootstrappers',
        'system:bootstrappers:karmada:default-cluster-token',
        'system:authenticated',
      ],
    });
  });
  const refused: [string, Record<string, string>, string, number][] = [
    ['a wrong secret', valid, 'ffffffffffffffff', now],
    ['an expired token', valid, '0123456789abcdef', Date.parse('2031-01-01T00:00:00Z')],
    [
      'a token not for authentication',
      { ...valid, 'usage-bootstrap-authentication': 'false' },
      '0123456789abcdef',
      now,
    ],
    ['another id', { ...valid, 'token-id': 'zzzzzz' }, '0123456789abcdef', now],
  ];
  for (const [name, fields, presented, at] of refused) {
    it(`refuses ${name}`, () =>
      assert.equal(bootstrapUser(secret(fields), 'abcdef', presented, at), undefined));
  }
});
