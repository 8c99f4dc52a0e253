import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLog } from '../common/http.ts';
import { request, start, startStub } from '../common/test-support.ts';
import { createServer as createReviews } from '../reviews/reviews.ts';
import { encodeSession } from './session.ts';
import { startProductPage, TEST_SECRET } from './test-stack.ts';

const REVIEWS_BODY = { id: '0', podname: 'stub', clustername: 'null', reviews: [] };

function sessionFrom(setCookie: string[] | undefined): string {
  const cookie = setCookie?.find((c) => c.startsWith('session='));
  assert.ok(cookie, 'a session cookie is set');
  return cookie.split(';')[0] ?? '';
}

describe('productpage sessions and forwarded headers', () => {
  it('logs in with a form POST, redirects to the Referer and sends end-user upstream', async () => {
    const reviews = await startStub({ status: 200, body: REVIEWS_BODY });
    const details = await startStub({ status: 200, body: { id: 0 } });
    const page = await startProductPage({ reviewsBase: reviews.base, detailsBase: details.base });
    try {
      const login = await request(`${page.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', referer: `${page.base}/productpage` },
        body: 'username=jason&passwd=password',
      });
      assert.equal(login.status, 302);
      assert.equal(login.headers.location, `${page.base}/productpage`);
      const cookie = sessionFrom(login.headers['set-cookie']);
      assert.match(login.headers['set-cookie']?.[0] ?? '', /HttpOnly; Path=\//);

      const res = await request(`${page.base}/productpage`, { headers: { cookie } });
      assert.match(res.body, /<span class="user">jason<\/span>/);
      assert.match(res.body, /Sign out/);
      assert.equal(reviews.requests.at(-1)?.headers['end-user'], 'jason');
      assert.equal(details.requests.at(-1)?.headers['end-user'], 'jason');

      const api = await request(`${page.base}/api/v1/products/0/reviews`, { headers: { cookie } });
      assert.equal(api.status, 200);
      assert.equal(reviews.requests.at(-1)?.headers['end-user'], 'jason');

      const logout = await request(`${page.base}/logout`, { headers: { cookie, referer: '/productpage' } });
      assert.equal(logout.status, 302);
      assert.equal(logout.headers.location, '/productpage');
      assert.match(logout.headers['set-cookie']?.[0] ?? '', /^session=; .*Max-Age=0/);

      const anonymous = await request(`${page.base}/productpage`);
      assert.match(anonymous.body, /Sign in/);
      assert.equal(reviews.requests.at(-1)?.headers['end-user'], undefined);
    } finally {
      await Promise.all([page.stop(), reviews.stop(), details.stop()]);
    }
  });

  it('carries end-user through a real reviews v2 to ratings', async () => {
    const ratings = await startStub({
      status: 200,
      body: { id: 0, ratings: { Reviewer1: 3, Reviewer2: 2 } },
    });
    const reviews = await start(
      createReviews({ enableRatings: true, ratingsBase: ratings.base, log: silentLog }),
    );
    const page = await startProductPage({ reviewsBase: reviews.base });
    try {
      const cookie = `session=${encodeSession({ user: 'jason' }, TEST_SECRET)}`;
      const res = await request(`${page.base}/productpage`, { headers: { cookie, 'x-request-id': 'r-42' } });
      assert.equal(res.body.split('glyphicon glyphicon-star"').length - 1, 5);
      assert.equal(ratings.requests[0]?.headers['end-user'], 'jason');
      assert.equal(ratings.requests[0]?.headers['x-request-id'], 'r-42');
    } finally {
      await Promise.all([page.stop(), reviews.stop(), ratings.stop()]);
    }
  });

  it('refuses a username that cannot travel as a header', async () => {
    const page = await startProductPage();
    try {
      for (const body of ['username=a%0d%0aX-Evil:%201', 'username=%E6%97%A5%E6%9C%AC']) {
        const res = await request(`${page.base}/login`, { method: 'POST', body });
        assert.equal(res.status, 400);
        assert.equal(res.headers['set-cookie'], undefined);
      }
    } finally {
      await page.stop();
    }
  });

  it('ignores forged or tampered session cookies and an incoming end-user header', async () => {
    const reviews = await startStub({ status: 200, body: REVIEWS_BODY });
    const page = await startProductPage({ reviewsBase: reviews.base });
    try {
      const forged = `session=${encodeSession({ user: 'jason' }, 'another-secret')}`;
      await request(`${page.base}/productpage`, { headers: { cookie: forged, 'end-user': 'mallory' } });
      assert.equal(reviews.requests.at(-1)?.headers['end-user'], undefined);
      await request(`${page.base}/productpage`, { headers: { cookie: 'session=garbage' } });
      assert.equal(reviews.requests.at(-1)?.headers['end-user'], undefined);
    } finally {
      await Promise.all([page.stop(), reviews.stop()]);
    }
  });

  it('forwards tracing and context headers to every upstream and drops others', async () => {
    const reviews = await startStub({ status: 200, body: REVIEWS_BODY });
    const details = await startStub({ status: 200, body: { id: 0 } });
    const ratings = await startStub({ status: 200, body: { id: 0, ratings: {} } });
    const page = await startProductPage({
      reviewsBase: reviews.base,
      detailsBase: details.base,
      ratingsBase: ratings.base,
    });
    const sent: Record<string, string> = {
      'x-request-id': 'req-7',
      'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7',
      'x-b3-spanid': 'e457b5a2e4d86bd1',
      'x-b3-parentspanid': '05e3ac9a4f6e3b90',
      'x-b3-sampled': '1',
      'x-b3-flags': '0',
      'x-ot-span-context': 'ot',
      'x-datadog-trace-id': '1',
      'x-datadog-parent-id': '2',
      'x-datadog-sampling-priority': '1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'congo=t61rcWkgMzE',
      'x-cloud-trace-context': '105445aa7843bc8bf206b120001000/1;o=1',
      'grpc-trace-bin': 'AAA=',
      sw8: '1-abc',
      'user-agent': 'bookinfo-test',
      authorization: 'Bearer t',
      jwt: 'j',
      cookie: 'other=1',
    };
    try {
      await request(`${page.base}/productpage`, { headers: { ...sent, 'x-secret': 'no' } });
      await request(`${page.base}/api/v1/products/0/ratings`, { headers: sent });
      for (const stub of [details, reviews, ratings]) {
        const seen = stub.requests[0]?.headers;
        assert.ok(seen);
        for (const [name, value] of Object.entries(sent)) assert.equal(seen[name], value, name);
        assert.equal(seen['x-secret'], undefined);
      }
    } finally {
      await Promise.all([page.stop(), reviews.stop(), details.stop(), ratings.stop()]);
    }
  });
});
