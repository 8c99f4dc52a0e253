/** WorkQueue and RateLimiter: de-duplication, exclusive processing, back-off, delays, drain. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter, WorkQueue } from './queue.ts';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('de-duplicates queued keys and hands them out in order', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len, 0);
  });

  it('never hands a key being processed to a second worker, and re-runs it after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    assert.equal(first, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len, 0, 're-added key waits for done');
    let second: string | undefined;
    void q.get().then((k) => {
      second = k;
    });
    await tick(10);
    assert.equal(second, undefined, 'no second worker got the key');
    q.done('a');
    await tick();
    assert.equal(second, 'a');
    q.done('a');
    assert.equal(q.len, 0);
  });

  it('holds addAfter keys back until their delay passes; an earlier delay wins', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 60);
    q.addAfter('a', 500);
    const start = Date.now();
    assert.equal(await q.get(), 'a');
    const waited = Date.now() - start;
    assert.ok(waited >= 50 && waited < 400, `waited ${waited}`);
  });

  it('backs off addRateLimited keys exponentially until forgotten', async () => {
    const limiter = new RateLimiter<string>({ baseDelayMs: 5, maxDelayMs: 1000 });
    const delays = Array.from({ length: 10 }, () => limiter.when('a'));
    assert.deepEqual(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    assert.equal(limiter.when('b'), 5, 'keys back off independently');
    assert.equal(limiter.retries('a'), 10);
    limiter.forget('a');
    assert.equal(limiter.when('a'), 5);

    const q = new WorkQueue({ rateLimiter: { baseDelayMs: 40 } });
    q.addRateLimited('x');
    q.addRateLimited('x');
    assert.equal(q.retries('x'), 2);
    const start = Date.now();
    assert.equal(await q.get(), 'x');
    assert.ok(Date.now() - start >= 30);
  });

  it('applies the overall token bucket across keys', () => {
    const limiter = new RateLimiter<string>({ baseDelayMs: 1, qps: 10, burst: 2 });
    assert.equal(limiter.when('a'), 1);
    assert.equal(limiter.when('b'), 1);
    const third = limiter.when('c');
    assert.ok(third > 90 && third <= 100, `third ${third}`);
  });

  it('drains on shutdown: queued keys are still handed out, new ones are refused', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.addAfter('late', 10);
    const a = await q.get();
    let drained = false;
    const shut = q.shutdown().then(() => {
      drained = true;
    });
    q.add('c');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len, 0);
    q.done('b');
    await tick();
    assert.equal(drained, false, 'a is still being processed');
    const idle = q.get();
    q.done(a!);
    await shut;
    assert.equal(await idle, undefined);
    assert.equal(await q.get(), undefined);
    await tick(20);
    assert.equal(q.len, 0, 'delayed keys were dropped');
  });
});
