import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLog } from '../common/http.ts';
import { request, type Started, start } from '../common/test-support.ts';
import { createServer } from './details.ts';

describe('details', () => {
  let svc: Started;
  before(async () => {
    svc = await start(createServer({ log: silentLog }));
  });
  after(() => svc.stop());

  it('returns the book record for id 0', async () => {
    const res = await request(`${svc.base}/details/0`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /application\/json/);
    assert.deepEqual(JSON.parse(res.body), {
      id: 0,
      author: 'William Shakespeare',
      year: 1595,
      type: 'paperback',
      pages: 200,
      publisher: 'PublisherA',
      language: 'English',
      'ISBN-10': '1234567890',
      'ISBN-13': '123-1234567890',
    });
  });

  it('echoes other numeric ids', async () => {
    const res = await request(`${svc.base}/details/42?x=1`);
    assert.equal(JSON.parse(res.body).id, 42);
  });

  for (const path of ['/details/abc', '/details/', '/details', '/details/1.5']) {
    it(`answers 400 for ${path}`, async () => {
      const res = await request(`${svc.base}${path}`);
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body), { error: 'please provide numeric product id' });
    });
  }

  it('reports health', async () => {
    const res = await request(`${svc.base}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { status: 'Details is healthy' });
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    assert.equal((await request(`${svc.base}/nope`)).status, 404);
    const post = await request(`${svc.base}/details/0`, { method: 'POST', body: '{bad' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });
});
