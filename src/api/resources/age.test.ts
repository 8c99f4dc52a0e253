import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration, translateTimestampSince } from './age.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [-5 * S, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [2 * S, '2s'],
    [90 * S, '90s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [5 * M + 10 * S, '5m10s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [60 * M, '60m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [8 * H + 5 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [3 * D, '3d'],
    [3 * D + 4 * H, '3d4h'],
    [8 * D + 4 * H, '8d'],
    [400 * D, '400d'],
    [730 * D, '2y'],
    [830 * D, '2y100d'],
    [9 * 365 * D, '9y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('translateTimestampSince', () => {
  it('is <unknown> for a missing timestamp', () => {
    assert.equal(translateTimestampSince(undefined, new Date()), '<unknown>');
  });
  it('measures from the timestamp to now', () => {
    assert.equal(translateTimestampSince('2025-01-01T00:00:00Z', new Date('2025-01-01T00:01:30Z')), '90s');
  });
});
