import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/meta.ts';
import type { ParsedCertificateRequest } from '../pki/index.ts';
import { type CsrVerdict, reviewAgentCsr } from './agent-csr.ts';

function csr(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'x' },
    spec: {
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['digital signature', 'key encipherment', 'client auth'],
      username: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:authenticated'],
      ...spec,
    },
  };
}

function parsed(extra: Partial<ParsedCertificateRequest> = {}): ParsedCertificateRequest {
  return {
    commonName: 'system:karmada:agent:m2',
    organizations: ['system:karmada:agents'],
    signatureValid: true,
    hasSubjectAltNames: false,
    publicKey: {} as ParsedCertificateRequest['publicKey'],
    ...extra,
  };
}

describe('the agent CSR approver', () => {
  const none = () => undefined;
  const cases: [
    string,
    KubeObject,
    ParsedCertificateRequest,
    (c: string) => 'Push' | 'Pull' | undefined,
    RegExp | 'approve' | 'ignore',
  ][] = [
    ['approves a bootstrap request for a new cluster', csr({}), parsed(), none, 'approve'],
    ['approves a bootstrap request for an existing Pull cluster', csr({}), parsed(), () => 'Pull', 'approve'],
    ['denies a bootstrap request for a Push cluster', csr({}), parsed(), () => 'Push', /is a Push cluster/],
    [
      'approves rotation by the agent itself',
      csr({ username: 'system:karmada:agent:m2', groups: ['system:karmada:agents'] }),
      parsed(),
      () => 'Pull',
      'approve',
    ],
    [
      'denies an agent asking for another cluster',
      csr({ username: 'system:karmada:agent:m1', groups: ['system:karmada:agents'] }),
      parsed(),
      none,
      /may not request a certificate for cluster "m2"/,
    ],
    [
      'denies extra organizations',
      csr({}),
      parsed({ organizations: ['system:karmada:agents', 'system:masters'] }),
      none,
      /exactly O=system:karmada:agents/,
    ],
    ['denies SANs', csr({}), parsed({ hasSubjectAltNames: true }), none, /subject alternative names/],
    ['denies a forged signature', csr({}), parsed({ signatureValid: false }), none, /not signed by the key/],
    [
      'denies server auth',
      csr({ usages: ['digital signature', 'server auth', 'client auth'] }),
      parsed(),
      none,
      /only be used for/,
    ],
    [
      'denies a request without client auth',
      csr({ usages: ['digital signature'] }),
      parsed(),
      none,
      /only be used for/,
    ],
    ['ignores other signers', csr({ signerName: 'example.com/other' }), parsed(), none, 'ignore'],
    ['ignores non-agent names', csr({}), parsed({ commonName: 'alice' }), none, 'ignore'],
  ];
  for (const [name, request, p, mode, want] of cases) {
    it(name, () => {
      const v: CsrVerdict = reviewAgentCsr(request, p, mode);
      if (want === 'approve') assert.deepEqual(v, { approve: true });
      else if (want === 'ignore') assert.deepEqual(v, { ignore: true });
      else assert.match('deny' in v ? v.deny : JSON.stringify(v), want);
    });
  }
});
