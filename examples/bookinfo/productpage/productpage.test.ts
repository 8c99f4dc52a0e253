import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from '../common/test-support.ts';
import { filledStars, startStack } from './test-stack.ts';

describe('productpage with the real services', () => {
  const versions = [
    { name: 'v1', reviews: { enableRatings: false }, stars: 0, colour: undefined },
    { name: 'v2', reviews: { enableRatings: true }, stars: 9, colour: 'text-black-500' },
    { name: 'v3', reviews: { enableRatings: true, starColor: 'red' }, stars: 9, colour: 'text-red-500' },
  ] as const;

  for (const v of versions) {
    it(`renders details and two reviews with reviews ${v.name}`, async () => {
      const stack = await startStack({
        ...v.reviews,
        podName: `reviews-${v.name}-7d9f`,
        clusterName: 'member2',
      });
      try {
        const res = await request(`${stack.productpage.base}/productpage`);
        assert.equal(res.status, 200);
        assert.match(res.headers['content-type'] ?? '', /text\/html/);
        const html = res.body;
        assert.match(html, /<title>Simple Bookstore App<\/title>/);
        assert.match(html, /<h1[^>]*>The Comedy of Errors<\/h1>/);
        assert.match(html, /<h4[^>]*>Book Details<\/h4>/);
        for (const cell of ['1234567890', 'PublisherA', '200', 'paperback', 'English']) {
          assert.match(html, new RegExp(`<td>${cell}</td>`));
        }
        assert.match(html, /<h4[^>]*>Book Reviews<\/h4>/);
        assert.match(
          html,
          /An extremely entertaining play by Shakespeare\. The slapstick humour is refreshing!/,
        );
        assert.match(html, /Absolutely fun and entertaining\./);
        assert.equal(html.split('class="review"').length - 1, 2);
        assert.equal(filledStars(html), v.stars);
        if (v.colour) {
          assert.equal(html.split(`<div class="flex gap-x-1 ${v.colour}">`).length - 1, 2);
        } else {
          assert.doesNotMatch(html, /flex gap-x-1/);
        }
        assert.equal(html.split(`Reviews served by: reviews-${v.name}-7d9f`).length - 1, 2);
        assert.match(html, /on cluster <div class="cluster">member2<\/div>/);
        assert.doesNotMatch(html, /unavailable/);
      } finally {
        await stack.stop();
      }
    });
  }

  it('omits "on cluster" when reviews reports clustername "null"', async () => {
    const stack = await startStack({ enableRatings: false, podName: 'reviews-v1-x' });
    try {
      const html = (await request(`${stack.productpage.base}/productpage`)).body;
      assert.match(html, /Reviews served by: reviews-v1-x/);
      assert.doesNotMatch(html, /on cluster/);
    } finally {
      await stack.stop();
    }
  });

  it("shows productpage's own pod and cluster in the footer", async () => {
    const stack = await startStack(
      { enableRatings: false },
      { podName: 'productpage-v1-abc', clusterName: 'member1' },
    );
    try {
      const html = (await request(`${stack.productpage.base}/productpage`)).body;
      assert.match(html, /Product page served by: productpage-v1-abc on cluster member1/);
    } finally {
      await stack.stop();
    }
  });

  it('serves the JSON API with backend bodies and statuses', async () => {
    const stack = await startStack({ enableRatings: true, podName: 'reviews-v2-1' });
    const base = stack.productpage.base;
    try {
      const products = await request(`${base}/api/v1/products`);
      assert.equal(products.status, 200);
      const list = JSON.parse(products.body);
      assert.equal(list.length, 1);
      assert.equal(list[0].id, 0);
      assert.equal(list[0].title, 'The Comedy of Errors');
      assert.match(
        list[0].descriptionHtml,
        /^<a href="https:\/\/en\.wikipedia\.org\/wiki\/The_Comedy_of_Errors">/,
      );

      const details = await request(`${base}/api/v1/products/0`);
      assert.equal(details.status, 200);
      assert.equal(JSON.parse(details.body).publisher, 'PublisherA');

      const reviews = JSON.parse((await request(`${base}/api/v1/products/0/reviews`)).body);
      assert.equal(reviews.podname, 'reviews-v2-1');
      assert.deepEqual(reviews.reviews[0].rating, { stars: 5, color: 'black' });

      const ratings = await request(`${base}/api/v1/products/0/ratings`);
      assert.deepEqual(JSON.parse(ratings.body), { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });

      const bad = await request(`${base}/api/v1/products/abc`);
      assert.equal(bad.status, 400, 'details says 400 for a non-numeric id and productpage passes it on');
      assert.deepEqual(JSON.parse(bad.body), {
        error: 'Sorry, product details are currently unavailable for this book.',
      });
    } finally {
      await stack.stop();
    }
  });

  it('serves the index, health, static CSS and metrics, and rejects bad requests', async () => {
    const stack = await startStack({ enableRatings: false });
    const base = stack.productpage.base;
    try {
      const index = await request(`${base}/`);
      assert.match(
        index.body,
        /<h3>Hello! This is a simple bookstore application consisting of three services/,
      );
      assert.match(index.body, /href="\/productpage\?u=normal"/);
      assert.equal((await request(`${base}/index.html`)).status, 200);

      const health = await request(`${base}/health`);
      assert.equal(health.status, 200);
      assert.equal(health.body, 'Product page is healthy');

      const css = await request(`${base}/static/bookinfo.css`);
      assert.equal(css.status, 200);
      assert.match(css.headers['content-type'] ?? '', /text\/css/);
      assert.match(css.body, /\.text-red-500/);
      const page = (await request(`${base}/productpage`)).body;
      assert.match(page, /href="static\/bookinfo\.css"/);
      assert.doesNotMatch(page, /https?:\/\/[^"]*\.(css|js)"/, 'no CDN assets');

      assert.equal((await request(`${base}/static/../productpage.ts`)).status, 404);
      assert.equal((await request(`${base}/static/%2e%2e/productpage.ts`)).status, 404);
      assert.equal((await request(`${base}/static/%E0%A4%A`)).status, 400);
      assert.equal((await request(`${base}/api/v1/products/%E0%A4%A`)).status, 404);
      assert.equal((await request(`${base}/nope`)).status, 404);
      assert.equal((await request(`${base}/productpage`, { method: 'DELETE' })).status, 405);
      assert.equal((await request(`${base}/login`)).status, 405);

      const metrics = await request(`${base}/metrics`);
      assert.match(metrics.body, /request_result_total\{destination_app="details",response_code="200"\} \d+/);
    } finally {
      await stack.stop();
    }
  });
});
