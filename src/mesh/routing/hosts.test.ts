import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from './duration.ts';
import { clusterName, hostCovers, hostIntersection, resolveHost } from './hosts.ts';

describe('resolveHost', () => {
  const known = (h: string): boolean => h === 'reviews.default.svc.cluster.local';
  const cases: Array<[string, string, string]> = [
    ['reviews', 'default', 'reviews.default.svc.cluster.local'],
    ['reviews', 'foo', 'reviews.foo.svc.cluster.local'],
    ['Reviews', 'default', 'reviews.default.svc.cluster.local'],
    ['reviews.default', 'foo', 'reviews.default.svc.cluster.local'],
    ['reviews.default.svc', 'foo', 'reviews.default.svc.cluster.local'],
    ['reviews.default.svc.cluster.local', 'foo', 'reviews.default.svc.cluster.local'],
    ['bookinfo.example.com', 'default', 'bookinfo.example.com'],
    ['*.example.com', 'default', '*.example.com'],
    ['*', 'default', '*'],
  ];
  for (const [host, ns, want] of cases) {
    it(`${host} in ${ns} → ${want}`, () => assert.equal(resolveHost(host, ns, known), want));
  }
});

describe('hostCovers / hostIntersection', () => {
  const cases: Array<[string, string, boolean, string | undefined]> = [
    ['*', 'a.example.com', true, 'a.example.com'],
    ['*.example.com', 'dev.example.com', true, 'dev.example.com'],
    ['*.example.com', 'example.com', false, undefined],
    ['*.example.com', 'a.b.example.com', true, 'a.b.example.com'],
    ['*.com', '*.example.com', true, '*.example.com'],
    ['a.example.com', 'b.example.com', false, undefined],
    ['a.example.com', 'a.example.com', true, 'a.example.com'],
  ];
  for (const [wide, narrow, covers, inter] of cases) {
    it(`${wide} vs ${narrow}`, () => {
      assert.equal(hostCovers(wide, narrow), covers);
      assert.equal(hostIntersection(wide, narrow), inter);
      assert.equal(hostIntersection(narrow, wide), inter);
    });
  }
  it('cluster names follow Envoy', () => {
    assert.equal(
      clusterName(9080, 'v1', 'reviews.default.svc.cluster.local'),
      'outbound|9080|v1|reviews.default.svc.cluster.local',
    );
    assert.equal(clusterName(9080, '', 'x.ns.svc.cluster.local'), 'outbound|9080||x.ns.svc.cluster.local');
  });
});

describe('parseDuration', () => {
  const cases: Array<[unknown, number | undefined]> = [
    ['7s', 7000],
    ['0.5s', 500],
    ['100ms', 100],
    ['1m30s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['0s', 0],
    ['.5s', 500],
    ['5', undefined],
    ['s', undefined],
    ['1x', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [text, ms] of cases) it(`${String(text)} → ${ms}`, () => assert.equal(parseDuration(text), ms));
});
