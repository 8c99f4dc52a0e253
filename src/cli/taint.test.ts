import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Taint } from '../api/karmada/types.ts';
import { applyTaintChange, parseTaintSpecs } from './taint.ts';

const NOW = new Date('2026-03-01T10:00:00.123Z');

describe('parseTaintSpecs', () => {
  it('parses additions and removals as kubectl does; NoExecute gets timeAdded', () => {
    const c = parseTaintSpecs(
      ['dedicated=gpu:NoSchedule', 'example.com/maint:NoExecute', 'old:PreferNoSchedule-', 'gone-'],
      NOW,
    );
    assert.deepEqual(c.add, [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'example.com/maint', effect: 'NoExecute', timeAdded: '2026-03-01T10:00:00Z' },
    ]);
    assert.deepEqual(c.remove, [{ key: 'old', effect: 'PreferNoSchedule' }, { key: 'gone' }]);
    assert.deepEqual(parseTaintSpecs(['k=v:NoExecute-']).remove, [{ key: 'k', effect: 'NoExecute' }]);
  });

  const bad: Array<[string[], RegExp]> = [
    [[], /at least one taint/],
    [['k=v'], /invalid taint spec "k=v": expected key\[=value\]:Effect/],
    [['k=v:Bad'], /effect "Bad" is not supported \(NoSchedule, PreferNoSchedule or NoExecute\)/],
    [['k:Bad-'], /effect "Bad" is not supported/],
    [['-x:NoSchedule'], /key "-x" must be a qualified name/],
    [['k=v v:NoSchedule'], /value "v v" must be/],
    [['k=a:NoSchedule', 'k=b:NoSchedule'], /duplicated taints with the same key and effect: k:NoSchedule/],
    [['k=a:NoSchedule', 'k-'], /can not both modify and remove .*k:NoSchedule/],
  ];
  for (const [args, message] of bad) {
    it(`refuses ${JSON.stringify(args)} with a usage error`, () => {
      assert.throws(
        () => parseTaintSpecs(args),
        (err: Error & { exitCode?: number }) => message.test(err.message) && err.exitCode === 2,
      );
    });
  }
});

describe('applyTaintChange', () => {
  const current: Taint[] = [
    { key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' },
    { key: 'k', value: 'old', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' },
  ];

  it('adds a new taint (tainted) and keeps the others in place', () => {
    const r = applyTaintChange('m', current, parseTaintSpecs(['x=1:NoSchedule']), false);
    assert.equal(r.outcome, 'tainted');
    assert.deepEqual(
      r.taints.map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`),
      ['cluster.karmada.io/not-ready=:NoSchedule', 'k=old:NoExecute', 'x=1:NoSchedule'],
    );
  });

  it('refuses a same key and effect without --overwrite, replaces it with (modified)', () => {
    assert.throws(
      () => applyTaintChange('m', current, parseTaintSpecs(['k=new:NoExecute']), false),
      /cluster m already has k taint\(s\) with same effect\(s\) and --overwrite is false/,
    );
    const r = applyTaintChange('m', current, parseTaintSpecs(['k=new:NoExecute'], NOW), true);
    assert.equal(r.outcome, 'modified');
    assert.deepEqual(r.taints[1], {
      key: 'k',
      value: 'new',
      effect: 'NoExecute',
      timeAdded: '2026-03-01T10:00:00Z',
    });
    // Same key with another effect is a different taint.
    assert.equal(applyTaintChange('m', current, parseTaintSpecs(['k=v:NoSchedule']), false).taints.length, 3);
  });

  it('removes by key and effect, or every effect of a key (untainted); a missing one is an error', () => {
    const byEffect = applyTaintChange('m', current, parseTaintSpecs(['k:NoExecute-']), false);
    assert.equal(byEffect.outcome, 'untainted');
    assert.deepEqual(
      byEffect.taints.map((t) => t.key),
      ['cluster.karmada.io/not-ready'],
    );
    assert.equal(applyTaintChange('m', current, parseTaintSpecs(['k-']), false).taints.length, 1);
    assert.throws(
      () => applyTaintChange('m', current, parseTaintSpecs(['k:NoSchedule-']), false),
      /taint "k:NoSchedule" not found on cluster m/,
    );
  });
});
