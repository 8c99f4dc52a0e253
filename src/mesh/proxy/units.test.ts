import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompiledMatch, LocalitySettings, UpstreamEndpoint } from '../routing/types.ts';
import { type Balanced, hash32, leastRequest, maglev, ringHash, roundRobin } from './balancer.ts';
import { chooseLevel, priorityOf } from './locality.ts';
import { matchTest, parseQuery, type RequestView } from './matchers.ts';

function req(p: Partial<RequestView>): RequestView {
  return { method: 'GET', path: '/', rawQuery: '', authority: 'a', scheme: 'http', headers: {}, ...p };
}

describe('matchTest', () => {
  const cases: Array<[string, CompiledMatch, Partial<RequestView>, boolean]> = [
    ['exact uri', { uri: { exact: '/productpage' } }, { path: '/productpage' }, true],
    ['exact uri is case-sensitive', { uri: { exact: '/productpage' } }, { path: '/ProductPage' }, false],
    [
      'ignoreUriCase exact',
      { uri: { exact: '/productpage' }, ignoreUriCase: true },
      { path: '/ProductPage' },
      true,
    ],
    ['raw prefix (no path separation)', { uri: { prefix: '/static' } }, { path: '/staticfoo' }, true],
    ['ignoreUriCase prefix', { uri: { prefix: '/API' }, ignoreUriCase: true }, { path: '/api/x' }, true],
    ['regex matches the whole path', { uri: { regex: '/u/[0-9]+' } }, { path: '/u/12/x' }, false],
    ['regex', { uri: { regex: '/u/[0-9]+' } }, { path: '/u/12' }, true],
    [
      'header exact',
      { headers: { 'end-user': { exact: 'jason' } } },
      { headers: { 'end-user': 'jason' } },
      true,
    ],
    [
      'header exact mismatch',
      { headers: { 'end-user': { exact: 'jason' } } },
      { headers: { 'end-user': 'Jason' } },
      false,
    ],
    ['header presence', { headers: { 'x-a': { present: true } } }, { headers: { 'x-a': '' } }, true],
    ['header presence absent', { headers: { 'x-a': { present: true } } }, {}, false],
    ['header prefix', { headers: { ua: { prefix: 'Mozilla' } } }, { headers: { ua: 'Mozilla/5' } }, true],
    [
      'withoutHeaders: absent header matches',
      { withoutHeaders: { 'end-user': { exact: 'jason' } } },
      {},
      true,
    ],
    [
      'withoutHeaders: other value matches',
      { withoutHeaders: { 'end-user': { exact: 'jason' } } },
      { headers: { 'end-user': 'bob' } },
      true,
    ],
    [
      'withoutHeaders: that value does not',
      { withoutHeaders: { 'end-user': { exact: 'jason' } } },
      { headers: { 'end-user': 'jason' } },
      false,
    ],
    ['query exact', { queryParams: { a: { exact: '1' } } }, { rawQuery: 'b=2&a=1' }, true],
    ['query bare key with exact ""', { queryParams: { debug: { exact: '' } } }, { rawQuery: 'debug' }, true],
    ['query regex whole value', { queryParams: { id: { regex: '[0-9]+' } } }, { rawQuery: 'id=12a' }, false],
    ['method', { method: { exact: 'POST' } }, { method: 'GET' }, false],
    ['authority regex', { authority: { regex: '.*\\.example\\.com' } }, { authority: 'a.example.com' }, true],
    [
      'AND of fields',
      { uri: { prefix: '/a' }, method: { exact: 'GET' } },
      { path: '/a', method: 'GET' },
      true,
    ],
    ['empty match', {}, {}, true],
  ];
  for (const [name, m, r, want] of cases) it(name, () => assert.equal(matchTest(m)(req(r)), want));
  it('decodes query values, first value wins', () => {
    assert.deepEqual(
      [...parseQuery('a=x%20y&a=2&b&c=')],
      [
        ['a', 'x y'],
        ['b', ''],
        ['c', ''],
      ],
    );
  });
});

function hosts(n: number): Balanced[] {
  return Array.from({ length: n }, (_, i) => ({ key: `10.0.0.${i}:9080`, active: 0, weight: 1 }));
}

describe('balancers', () => {
  const all = () => true;
  it('least request prefers the idler of two', () => {
    const hs = hosts(2);
    (hs[0] as Balanced).active = 5;
    const lr = leastRequest<Balanced>();
    for (let i = 0; i < 50; i++) assert.equal(lr.pick(hs, undefined, all), hs[1]);
  });
  it('least request visits idle hosts evenly (sequential requests split exactly)', () => {
    const hs = hosts(6);
    const lr = leastRequest<Balanced>();
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const h = lr.pick(hs, undefined, all);
      counts.set(h?.key ?? '', (counts.get(h?.key ?? '') ?? 0) + 1);
    }
    assert.deepEqual([...counts.values()], [50, 50, 50, 50, 50, 50]);
  });
  it('round robin cycles through usable hosts', () => {
    const hs = hosts(3);
    const rr = roundRobin<Balanced>();
    const got = Array.from({ length: 6 }, () => rr.pick(hs, undefined, (h) => h !== hs[1])?.key);
    assert.deepEqual(
      got,
      [hs[0], hs[2], hs[0], hs[2], hs[0], hs[2]].map((h) => h?.key),
    );
  });
  for (const [name, make] of [
    ['ring hash', (h: Balanced[]) => ringHash(h, 1024)],
    ['maglev', (h: Balanced[]) => maglev(h, 65537)],
  ] as const) {
    it(`${name}: stable per key, spread across hosts, minimal movement when a host leaves`, () => {
      const hs = hosts(5);
      const lb = make(hs);
      const keys = Array.from({ length: 2000 }, (_, i) => hash32(`user-${i}`));
      const before = keys.map((k) => lb.pick(hs, k, all));
      assert.deepEqual(
        keys.map((k) => lb.pick(hs, k, all)),
        before,
      );
      const counts = new Map<Balanced | undefined, number>();
      for (const h of before) counts.set(h, (counts.get(h) ?? 0) + 1);
      for (const h of hs) assert.ok((counts.get(h) ?? 0) > 200, `${name} spread: ${[...counts.values()]}`);
      const gone = hs[2];
      const after = keys.map((k) => lb.pick(hs, k, (h) => h !== gone));
      const moved = before.filter((h, i) => h !== gone && after[i] !== h).length;
      assert.equal(moved, 0, 'keys of remaining hosts stay put');
      assert.ok(after.every((h) => h !== gone));
    });
  }
});

describe('locality', () => {
  const ep = (
    cluster: string,
    region: string,
    zone: string,
    labels: Record<string, string> = {},
  ): UpstreamEndpoint => ({ address: 'x', port: 1, cluster, labels, locality: { region, zone } });
  const me = { cluster: 'member1', region: 'r1', zone: 'z1', labels: { version: 'v1' } };
  const on: LocalitySettings = { enabled: true };
  const cases: Array<[string, UpstreamEndpoint, LocalitySettings, number]> = [
    ['same cluster and zone', ep('member1', 'r1', 'z1'), on, 0],
    ['same zone, other cluster', ep('member2', 'r1', 'z1'), on, 1],
    ['same region, other zone', ep('member2', 'r1', 'z2'), on, 3],
    [
      'failover region',
      ep('member3', 'r2', 'z1'),
      { enabled: true, failover: [{ from: 'r1', to: 'r2' }] },
      4,
    ],
    ['other region', ep('member3', 'r3', 'z1'), on, 5],
    ['disabled: all equal', ep('member3', 'r3', 'z1'), { enabled: false }, 0],
    [
      'failoverPriority full match',
      ep('member2', 'r9', 'z9', { version: 'v1' }),
      { enabled: true, failoverPriority: ['version'] },
      0,
    ],
    [
      'failoverPriority key=value miss',
      ep('member2', 'r9', 'z9', { version: 'v1' }),
      { enabled: true, failoverPriority: ['version=v2'] },
      1,
    ],
  ];
  for (const [name, e, s, want] of cases) it(name, () => assert.equal(priorityOf(e, me, s), want));
  it('spills to the next level as health drops (overprovisioning 1.4)', () => {
    assert.equal(
      chooseLevel(
        [
          [0, 10, 10],
          [1, 10, 10],
        ],
        0.99,
      ),
      0,
    );
    // 5 of 10 healthy: P0 takes 70%.
    assert.equal(
      chooseLevel(
        [
          [0, 5, 10],
          [1, 10, 10],
        ],
        0.69,
      ),
      0,
    );
    assert.equal(
      chooseLevel(
        [
          [0, 5, 10],
          [1, 10, 10],
        ],
        0.71,
      ),
      1,
    );
    assert.equal(
      chooseLevel(
        [
          [0, 0, 10],
          [1, 3, 10],
        ],
        0.5,
      ),
      1,
    );
    assert.equal(chooseLevel([[0, 0, 10]], 0.5), undefined);
  });
});
