import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, RestartBackoff } from './backoff.ts';

describe('RestartBackoff', () => {
  it('restarts at once, then doubles from base up to the cap', () => {
    const b = new RestartBackoff({ baseMs: 10_000, capMs: 300_000 });
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => b.delayFor(i * 1000));
    assert.deepEqual(delays, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('resets after the container ran longer than twice the cap', () => {
    const b = new RestartBackoff({ baseMs: 10_000, capMs: 300_000 });
    b.delayFor(0);
    assert.equal(b.delayFor(1000), 10_000);
    assert.equal(b.delayFor(1000 + 600_001), 0);
    assert.equal(b.delayFor(1000 + 600_002), 10_000);
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [250, '250ms'],
    [10_000, '10s'],
    [1500, '1.5s'],
    [80_000, '1m20s'],
    [300_000, '5m0s'],
    [3_723_000, '1h2m3s'],
  ];
  for (const [ms, want] of cases) it(`${ms} → ${want}`, () => assert.equal(formatDuration(ms), want));
});
