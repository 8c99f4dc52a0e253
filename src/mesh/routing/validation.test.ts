import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileReviews, dests, meshRoutes, REVIEWS } from './testing.ts';

describe('compileMesh: invalid configuration', () => {
  const good = {
    match: [{ uri: { prefix: '/ok' } }],
    route: [{ destination: { host: 'reviews', subset: 'v1' } }],
  };
  const cases: Array<{ name: string; bad: unknown; field: string; severity?: 'warning'; kept: number }> = [
    {
      name: 'negative weight',
      bad: {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: -1 },
          { destination: { host: 'reviews', subset: 'v2' }, weight: 2 },
        ],
      },
      field: 'spec.http[1].route[0].weight',
      kept: 1,
    },
    {
      name: 'weights summing to zero',
      bad: {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 0 },
          { destination: { host: 'reviews', subset: 'v2' }, weight: 0 },
        ],
      },
      field: 'spec.http[1].route',
      kept: 1,
    },
    {
      name: 'route and redirect together',
      bad: { redirect: { uri: '/x' }, route: [{ destination: { host: 'reviews' } }] },
      field: 'spec.http[1]',
      kept: 1,
    },
    {
      name: 'directResponse with fault',
      bad: { directResponse: { status: 418 }, fault: { abort: { httpStatus: 500 } } },
      field: 'spec.http[1]',
      kept: 1,
    },
    {
      name: 'invalid regex',
      bad: { match: [{ uri: { regex: '(' } }], route: [{ destination: { host: 'reviews' } }] },
      field: 'spec.http[1].match[0].uri.regex',
      kept: 1,
    },
    { name: 'no action', bad: { match: [{ uri: { prefix: '/' } }] }, field: 'spec.http[1]', kept: 1 },
    {
      name: 'unknown subset (kept, 503 at run time as in Istio)',
      bad: { route: [{ destination: { host: 'reviews', subset: 'v9' } }] },
      field: 'spec.http[1].route[0].destination.subset',
      severity: 'warning',
      kept: 2,
    },
    {
      name: 'unknown host',
      bad: { route: [{ destination: { host: 'nope' } }] },
      field: 'spec.http[1].route[0].destination.host',
      severity: 'warning',
      kept: 2,
    },
    {
      name: 'bad timeout',
      bad: { timeout: 'soon', route: [{ destination: { host: 'reviews' } }] },
      field: 'spec.http[1].timeout',
      kept: 1,
    },
    {
      name: 'mirror percentage over 100',
      bad: {
        mirror: { host: 'ratings' },
        mirrorPercentage: { value: 150 },
        route: [{ destination: { host: 'reviews' } }],
      },
      field: 'spec.http[1].mirrorPercentage',
      kept: 1,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: reported at ${c.field}, valid routes kept`, () => {
      const m = compileReviews({ hosts: ['reviews'], http: [good, c.bad] });
      const d = m.diagnostics.find((x) => x.field === c.field);
      assert.ok(d, `no diagnostic at ${c.field}: ${JSON.stringify(m.diagnostics)}`);
      assert.deepEqual(
        [d.kind, d.namespace, d.name, d.severity],
        ['VirtualService', 'default', 'reviews', c.severity],
      );
      const routes = meshRoutes(m, REVIEWS);
      assert.equal(routes.length, c.kept);
      assert.deepEqual(dests(routes[0]), [[`outbound|9080|v1|${REVIEWS}`, 100]]);
    });
  }
});
