import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLog } from '../common/http.ts';
import { request, type Started, start, startStub } from '../common/test-support.ts';
import { createServer as createRatings } from '../ratings/ratings.ts';
import { createServer, type ReviewsOptions } from './reviews.ts';

async function reviewsOf(options: ReviewsOptions, headers: Record<string, string> = {}) {
  const svc = await start(createServer({ log: silentLog, ...options }));
  try {
    const res = await request(`${svc.base}/reviews/0`, { headers });
    return { status: res.status, json: JSON.parse(res.body) };
  } finally {
    await svc.stop();
  }
}

describe('reviews', () => {
  let ratings: Started;
  before(async () => {
    ratings = await start(createRatings({ log: silentLog }));
  });
  after(() => ratings.stop());

  it('v1 returns two reviews without ratings and never calls ratings', async () => {
    const stub = await startStub({ status: 200, body: {} });
    try {
      const { status, json } = await reviewsOf({
        enableRatings: false,
        ratingsBase: stub.base,
        podName: 'reviews-v1-abc',
      });
      assert.equal(status, 200);
      assert.equal(json.id, '0');
      assert.equal(json.podname, 'reviews-v1-abc');
      assert.equal(json.clustername, 'null');
      assert.equal(json.reviews.length, 2);
      for (const review of json.reviews) assert.equal('rating' in review, false);
      assert.equal(json.reviews[0].reviewer, 'Reviewer1');
      assert.equal(stub.requests.length, 0);
    } finally {
      await stub.stop();
    }
  });

  it('v2 returns black stars from ratings', async () => {
    const { json } = await reviewsOf({
      enableRatings: true,
      ratingsBase: ratings.base,
      clusterName: 'member1',
    });
    assert.equal(json.clustername, 'member1');
    assert.deepEqual(json.reviews[0].rating, { stars: 5, color: 'black' });
    assert.deepEqual(json.reviews[1].rating, { stars: 4, color: 'black' });
  });

  it('v3 returns red stars from ratings', async () => {
    const { json } = await reviewsOf({ enableRatings: true, starColor: 'red', ratingsBase: ratings.base });
    assert.deepEqual(json.reviews[0].rating, { stars: 5, color: 'red' });
    assert.deepEqual(json.reviews[1].rating, { stars: 4, color: 'red' });
  });

  it('still answers 200 with the unavailable text when ratings is down', async () => {
    const down = await startStub({ status: 200, body: {} });
    await down.stop(); // a port nobody listens on any more
    const { status, json } = await reviewsOf({ enableRatings: true, ratingsBase: down.base });
    assert.equal(status, 200);
    for (const review of json.reviews) {
      assert.deepEqual(review.rating, { error: 'Ratings service is currently unavailable' });
    }
  });

  it('treats a non-200 ratings reply as unavailable', async () => {
    const failing = await startStub({ status: 500, body: { ratings: { Reviewer1: 5 } } });
    try {
      const { json } = await reviewsOf({ enableRatings: true, ratingsBase: failing.base });
      assert.deepEqual(json.reviews[0].rating, { error: 'Ratings service is currently unavailable' });
    } finally {
      await failing.stop();
    }
  });

  it('gives up on slow ratings after its timeout', async () => {
    const slow = await startStub({
      status: 200,
      body: { ratings: { Reviewer1: 5, Reviewer2: 4 } },
      delayMs: 2000,
    });
    try {
      const t0 = performance.now();
      const { json } = await reviewsOf({
        enableRatings: true,
        ratingsBase: slow.base,
        ratingsTimeoutMs: 200,
      });
      assert.ok(performance.now() - t0 < 1500);
      assert.deepEqual(json.reviews[1].rating, { error: 'Ratings service is currently unavailable' });
    } finally {
      await slow.stop();
    }
  });

  it('forwards end-user and tracing headers to ratings', async () => {
    const stub = await startStub({ status: 200, body: { id: 0, ratings: { Reviewer1: 1, Reviewer2: 2 } } });
    try {
      const sent = {
        'end-user': 'jason',
        'x-request-id': 'req-1',
        'x-b3-traceid': 'abc',
        'x-b3-spanid': 'def',
        'x-b3-sampled': '1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'x-unrelated': 'dropped',
      };
      const { json } = await reviewsOf({ enableRatings: true, ratingsBase: stub.base }, sent);
      assert.deepEqual(json.reviews[0].rating, { stars: 1, color: 'black' });
      const seen = stub.requests[0];
      assert.ok(seen);
      assert.equal(seen.url, '/ratings/0');
      assert.equal(seen.headers.accept, 'application/json');
      for (const [k, v] of Object.entries(sent)) {
        assert.equal(seen.headers[k], k === 'x-unrelated' ? undefined : v, k);
      }
    } finally {
      await stub.stop();
    }
  });

  it('reports health, 404s non-integer ids and 405s other methods', async () => {
    const svc = await start(createServer({ enableRatings: false, log: silentLog }));
    try {
      assert.deepEqual(JSON.parse((await request(`${svc.base}/health`)).body), {
        status: 'Reviews is healthy',
      });
      assert.equal((await request(`${svc.base}/reviews/abc`)).status, 404);
      assert.equal((await request(`${svc.base}/reviews/99999999999`)).status, 404);
      assert.equal((await request(`${svc.base}/reviews/0`, { method: 'PUT', body: 'x' })).status, 405);
    } finally {
      await svc.stop();
    }
  });
});
