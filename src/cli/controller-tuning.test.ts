import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { CONTROLLER_TUNING_FLAGS, controllerTuning } from './controller-tuning.ts';
import { UsageError } from './errors.ts';
import { addFlags, readFlags } from './flags.ts';

function tuning(argv: string[]) {
  const command = addFlags(new Command('t').exitOverride(), CONTROLLER_TUNING_FLAGS);
  command.parse(argv, { from: 'user' });
  return controllerTuning(readFlags(command, CONTROLLER_TUNING_FLAGS).values);
}

describe('controller tuning flags', () => {
  it("defaults to Karmada's timings, with Failover on", () => {
    assert.deepEqual(tuning([]), {
      health: {
        intervalMs: 10_000,
        failureThresholdMs: 30_000,
        successThresholdMs: 30_000,
        monitorPeriodMs: 5_000,
        monitorGracePeriodMs: 40_000,
        startupGracePeriodMs: 60_000,
      },
      failover: {
        failover: true,
        gracefulEviction: true,
        evictionRate: 0.5,
        gracefulEvictionTimeoutMs: 600_000,
      },
    });
  });

  it('reads Go-style durations, gates and the eviction rate', () => {
    const t = tuning([
      '--cluster-failure-threshold',
      '1m30s',
      '--cluster-status-update-frequency',
      '500ms',
      '--cluster-monitor-grace-period',
      '0',
      '--feature-gates',
      'Failover=false',
      '--resource-eviction-rate',
      '2',
    ]);
    assert.equal(t.health.failureThresholdMs, 90_000);
    assert.equal(t.health.intervalMs, 500);
    assert.equal(t.health.monitorGracePeriodMs, 0);
    assert.equal(t.failover.failover, false);
    assert.equal(t.failover.gracefulEviction, true);
    assert.equal(t.failover.evictionRate, 2);
  });

  const bad: Array<[string[], RegExp]> = [
    [
      ['--cluster-failure-threshold', '30'],
      /^--cluster-failure-threshold must be a duration like 500ms, 30s or 1m30s, got "30"$/,
    ],
    [['--cluster-failure-threshold', '3x'], /got "3x"/],
    [
      ['--feature-gates', 'Nope=true'],
      /^--feature-gates: unrecognized feature gate "Nope" \(known: Failover, GracefulEviction\)$/,
    ],
    [
      ['--feature-gates', 'Failover=maybe'],
      /^--feature-gates: Failover must be =true or =false, got "Failover=maybe"$/,
    ],
    [
      ['--resource-eviction-rate', '-1'],
      /^--resource-eviction-rate must be a number of evictions per second/,
    ],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')}`, () => {
      assert.throws(
        () => tuning(argv),
        (err) => err instanceof UsageError && message.test(err.message),
      );
    });
  }
});
