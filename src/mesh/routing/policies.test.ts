import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultPolicy, retryPolicy } from './policies.ts';
import type { FaultPolicy, RetryPolicy } from './types.ts';

const DEFAULT_ON = [
  'connect-failure',
  'refused-stream',
  'unavailable',
  'cancelled',
  'retriable-status-codes',
];

describe('retryPolicy (Istio route/retry ConvertPolicy)', () => {
  const cases: Array<[string, unknown, Partial<RetryPolicy>, string[]]> = [
    [
      'unset: Istio default',
      undefined,
      { attempts: 2, retryOn: DEFAULT_ON, retriableStatusCodes: [503] },
      [],
    ],
    ['attempts 0 disables', { attempts: 0 }, { attempts: 0 }, []],
    [
      'retries without attempts disables',
      { perTryTimeout: '1s' },
      { attempts: 0, perTryTimeoutMs: 1000 },
      [],
    ],
    [
      'status codes join retriable-status-codes',
      { attempts: 3, retryOn: '5xx,502,504' },
      { attempts: 3, retryOn: ['5xx', 'retriable-status-codes'], retriableStatusCodes: [502, 504] },
      [],
    ],
    [
      'unknown condition reported',
      { attempts: 1, retryOn: 'sometimes' },
      { attempts: 1, retryOn: [] },
      ['spec.retries.retryOn'],
    ],
    ['negative attempts reported', { attempts: -1 }, {}, ['spec.retries.attempts']],
    [
      'retryIgnorePreviousHosts false',
      { attempts: 1, retryIgnorePreviousHosts: false },
      { ignorePreviousHosts: false },
      [],
    ],
  ];
  for (const [name, input, want, errors] of cases) {
    it(name, () => {
      const got: string[] = [];
      const p = retryPolicy(input, 'spec.retries', (f) => got.push(f));
      for (const [k, v] of Object.entries(want)) assert.deepEqual(p[k as keyof RetryPolicy], v, k);
      assert.deepEqual(got, errors);
    });
  }
});

describe('faultPolicy', () => {
  const cases: Array<[string, unknown, FaultPolicy | undefined | null]> = [
    [
      'delay 7s at 100%',
      { delay: { fixedDelay: '7s', percentage: { value: 100 } } },
      { delay: { fixedDelayMs: 7000, percent: 100 } },
    ],
    [
      'missing percentage faults nothing',
      { abort: { httpStatus: 500 } },
      { abort: { httpStatus: 500, percent: 0 } },
    ],
    [
      'deprecated integer percent',
      { abort: { httpStatus: 555, percent: 50 } },
      { abort: { httpStatus: 555, percent: 50 } },
    ],
    ['grpc abort unsupported', { abort: { grpcStatus: 'UNAVAILABLE' } }, null],
    ['empty fault', {}, null],
  ];
  for (const [name, input, want] of cases) {
    it(name, () =>
      assert.deepEqual(
        faultPolicy(input, 'spec.fault', () => {}),
        want,
      ),
    );
  }
});
