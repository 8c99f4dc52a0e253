import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLog } from '../common/http.ts';
import { request, type Started, start } from '../common/test-support.ts';
import { createServer } from './ratings.ts';

describe('ratings v1', () => {
  let svc: Started;
  before(async () => {
    svc = await start(createServer({ log: silentLog }));
  });
  after(() => svc.stop());

  it('returns the seed ratings for id 0', async () => {
    const res = await request(`${svc.base}/ratings/0`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
  });

  for (const path of ['/ratings/abc', '/ratings/', '/ratings/0/']) {
    it(`answers 400 for ${path}`, async () => {
      const res = await request(`${svc.base}${path}`);
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body), { error: 'please provide numeric product ID' });
    });
  }

  it('stores a POSTed rating and serves it back', async () => {
    const post = await request(`${svc.base}/ratings/7`, {
      method: 'POST',
      body: '{"Reviewer1":1,"Reviewer2":2}',
    });
    assert.equal(post.status, 200);
    assert.deepEqual(JSON.parse(post.body), { id: 7, ratings: { Reviewer1: 1, Reviewer2: 2 } });
    const get = await request(`${svc.base}/ratings/7`);
    assert.deepEqual(JSON.parse(get.body), { id: 7, ratings: { Reviewer1: 1, Reviewer2: 2 } });
  });

  it('rejects bad JSON, bad methods and unknown paths', async () => {
    const bad = await request(`${svc.base}/ratings/1`, { method: 'POST', body: '{nope' });
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.body), { error: 'please provide valid ratings JSON' });
    assert.equal((await request(`${svc.base}/ratings/1`, { method: 'DELETE' })).status, 405);
    assert.equal((await request(`${svc.base}/other`)).status, 404);
  });

  it('reports health', async () => {
    const res = await request(`${svc.base}/health`);
    assert.deepEqual(JSON.parse(res.body), { status: 'Ratings is healthy' });
  });
});

describe('ratings variants', () => {
  it('v2 serves the seeded rows and refuses POST with 501', async () => {
    const svc = await start(createServer({ version: 'v2', log: silentLog }));
    try {
      assert.deepEqual(JSON.parse((await request(`${svc.base}/ratings/3`)).body), {
        id: 3,
        ratings: { Reviewer1: 5, Reviewer2: 4 },
      });
      const post = await request(`${svc.base}/ratings/3`, { method: 'POST', body: '{}' });
      assert.equal(post.status, 501);
      assert.deepEqual(JSON.parse(post.body), { error: 'Post not implemented for database backed ratings' });
    } finally {
      await svc.stop();
    }
  });

  it('v-faulty answers 503 when the coin says so and 200 otherwise', async () => {
    const coins = [0.1, 0.9];
    const svc = await start(
      createServer({ version: 'v-faulty', random: () => coins.shift() ?? 0, log: silentLog }),
    );
    try {
      const first = await request(`${svc.base}/ratings/0`);
      assert.equal(first.status, 503);
      assert.deepEqual(JSON.parse(first.body), { error: 'Service unavailable' });
      assert.equal((await request(`${svc.base}/ratings/0`)).status, 200);
    } finally {
      await svc.stop();
    }
  });

  it('v-delayed delays half the calls', async () => {
    const svc = await start(
      createServer({ version: 'v-delayed', random: () => 0, delayMs: 300, log: silentLog }),
    );
    try {
      const t0 = performance.now();
      assert.equal((await request(`${svc.base}/ratings/0`)).status, 200);
      assert.ok(performance.now() - t0 >= 290);
    } finally {
      await svc.stop();
    }
  });

  it('v-unhealthy flips availability and health together', async () => {
    const svc = await start(createServer({ version: 'v-unhealthy', flipIntervalMs: 400, log: silentLog }));
    try {
      assert.equal((await request(`${svc.base}/ratings/0`)).status, 200);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await request(`${svc.base}/ratings/0`)).status, 503);
      const health = await request(`${svc.base}/health`);
      assert.equal(health.status, 500);
      assert.deepEqual(JSON.parse(health.body), { status: 'Ratings is not healthy' });
    } finally {
      await svc.stop();
    }
  });
});
