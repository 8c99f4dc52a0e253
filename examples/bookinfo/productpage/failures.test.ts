import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLog } from '../common/http.ts';
import { request, start, startStub } from '../common/test-support.ts';
import { createServer as createDetails } from '../details/details.ts';
import { createServer as createReviews } from '../reviews/reviews.ts';
import { filledStars, startProductPage } from './test-stack.ts';

const DETAILS_ERROR = 'Sorry, product details are currently unavailable for this book.';
const REVIEWS_ERROR = 'Sorry, product reviews are currently unavailable for this book.';

/** A base URL nobody listens on: bind a port, then close it. */
async function deadBase(): Promise<string> {
  const stub = await startStub({ status: 200, body: {} });
  await stub.stop();
  return stub.base;
}

describe('productpage when backends fail', () => {
  it('shows the details error text but still answers 200 when details is down', async () => {
    const reviews = await start(
      createReviews({ enableRatings: false, podName: 'reviews-v1-a', log: silentLog }),
    );
    const page = await startProductPage({ detailsBase: await deadBase(), reviewsBase: reviews.base });
    try {
      const res = await request(`${page.base}/productpage`);
      assert.equal(res.status, 200);
      assert.match(res.body, /<p class="text-2xl text-red-500">Error fetching product details<\/p>/);
      assert.ok(res.body.includes(DETAILS_ERROR));
      assert.match(res.body, /Reviews served by: reviews-v1-a/, 'reviews still render');
      const api = await request(`${page.base}/api/v1/products/0`);
      assert.equal(api.status, 500);
      assert.deepEqual(JSON.parse(api.body), { error: DETAILS_ERROR });
    } finally {
      await Promise.all([page.stop(), reviews.stop()]);
    }
  });

  it('passes a failing backend status through the API (details answering 555)', async () => {
    const details = await startStub({ status: 555, body: { fault: 'abort' } });
    const page = await startProductPage({ detailsBase: details.base });
    try {
      const api = await request(`${page.base}/api/v1/products/0`);
      assert.equal(api.status, 555);
      assert.deepEqual(JSON.parse(api.body), { error: DETAILS_ERROR });
    } finally {
      await Promise.all([page.stop(), details.stop()]);
    }
  });

  it('tries reviews twice, then shows the reviews error', async () => {
    const details = await start(createDetails({ log: silentLog }));
    const reviews = await startStub({ status: 503, body: { error: 'no healthy upstream' } });
    const page = await startProductPage({ detailsBase: details.base, reviewsBase: reviews.base });
    try {
      const res = await request(`${page.base}/productpage`);
      assert.equal(res.status, 200);
      assert.match(res.body, /<h4[^>]*>Book Details<\/h4>/);
      assert.match(res.body, /<p class="text-2xl text-red-500">Error fetching product reviews<\/p>/);
      assert.ok(res.body.includes(REVIEWS_ERROR));
      assert.equal(reviews.requests.length, 2);
      const api = await request(`${page.base}/api/v1/products/0/reviews`);
      assert.equal(api.status, 503);
      assert.deepEqual(JSON.parse(api.body), { error: REVIEWS_ERROR });
      assert.equal(reviews.requests.length, 4);
    } finally {
      await Promise.all([page.stop(), details.stop(), reviews.stop()]);
    }
  });

  it('times out each reviews attempt, so a slow reviews costs two timeouts', async () => {
    const reviews = await startStub({ status: 200, body: { reviews: [] }, delayMs: 5000 });
    const page = await startProductPage({ reviewsBase: reviews.base, timeoutMs: 250 });
    try {
      const t0 = performance.now();
      const res = await request(`${page.base}/productpage`);
      const elapsed = performance.now() - t0;
      assert.ok(res.body.includes(REVIEWS_ERROR));
      assert.equal(reviews.requests.length, 2);
      assert.ok(elapsed >= 450 && elapsed < 2500, `took ${elapsed}ms`);
    } finally {
      await Promise.all([page.stop(), reviews.stop()]);
    }
  });

  it('shows "Ratings service is currently unavailable" under each review when ratings is down (v2)', async () => {
    const details = await start(createDetails({ log: silentLog }));
    const reviews = await start(
      createReviews({ enableRatings: true, ratingsBase: await deadBase(), log: silentLog }),
    );
    const page = await startProductPage({ detailsBase: details.base, reviewsBase: reviews.base });
    try {
      const res = await request(`${page.base}/productpage`);
      assert.equal(res.status, 200);
      assert.equal(
        res.body.split('<p class="text-red-500">Ratings service is currently unavailable</p>').length - 1,
        2,
      );
      assert.equal(filledStars(res.body), 0);
      assert.match(res.body, /<h4[^>]*>Book Reviews<\/h4>/);
    } finally {
      await Promise.all([page.stop(), details.stop(), reviews.stop()]);
    }
  });

  it('survives backends that answer 200 with garbage', async () => {
    const junk = await startStub({ status: 200, body: 'not an object' });
    const page = await startProductPage({ detailsBase: junk.base, reviewsBase: junk.base });
    try {
      const res = await request(`${page.base}/productpage`);
      assert.equal(res.status, 200);
      assert.match(res.body, /Book Details/);
      assert.match(res.body, /Book Reviews/);
    } finally {
      await Promise.all([page.stop(), junk.stop()]);
    }
  });
});
