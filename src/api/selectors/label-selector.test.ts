import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatLabelSelector,
  labelSelectorRequirements,
  matchesLabelSelector,
  matchesLabelString,
  parseLabelSelector,
} from './label-selector.ts';

function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    const e = err as { code?: number; reason?: string; message?: string };
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.match(e.message ?? '', message);
    return true;
  });
}

describe('parseLabelSelector', () => {
  const parsed: Array<[string, string]> = [
    ['', ''],
    ['app=web', 'app=web'],
    ['app==web', 'app==web'],
    ['app!=web', 'app!=web'],
    ['app', 'app'],
    ['!app', '!app'],
    [' app in ( b , a ) ', 'app in (a,b)'],
    ['app notin (a)', 'app notin (a)'],
    ['tier=db,app=web', 'app=web,tier=db'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['app=', 'app='],
    ['in in (in,notin)', 'in in (in,notin)'],
    ['example.com/app=web', 'example.com/app=web'],
    ['replicas>2', 'replicas>2'],
    ['replicas<2', 'replicas<2'],
  ];
  for (const [input, formatted] of parsed) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.equal(formatLabelSelector(parseLabelSelector(input)), formatted);
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['app=web=x', /^found '=', expected: ',' or 'end of string'$/],
    ['app in a', /^unable to parse requirement: found 'a' expected: '\('$/],
    ['app in (a', /^unable to parse requirement: found '', expected: ',' or '\)'$/],
    ['app_=x', /^unable to parse requirement: <nil>: Invalid value: "app_": name part must consist of/],
    ['a/b/c', /a valid label key must consist of/],
    ['Example.COM/a', /prefix part a lowercase RFC 1123 subdomain/],
    ['app=a b', /^found 'b', expected: ',' or 'end of string'$/],
    [
      'app=-x',
      /^unable to parse requirement: values\[0\]\[app\]: Invalid value: "-x": a valid label must be/,
    ],
    [`app=${'v'.repeat(64)}`, /must be no more than 63 bytes/],
    [`${'k'.repeat(64)}`, /name part must be no more than 63 bytes/],
    ['=x', /^found '=', expected: !, identifier, or 'end of string'$/],
    ['app,', /^found '', expected: identifier after ','$/],
    ['!app=x', /^unable to parse requirement: found '=', expected: ',' or 'end of string'$/],
    ['replicas>x', /for 'Gt', 'Lt' operators, the value must be an integer/],
    ['app (a)', /^unable to parse requirement: found '\(', expected: in, notin, =, ==, !=, gt, lt$/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => rejects(() => parseLabelSelector(input), message));
  }
});

describe('matching selector strings', () => {
  const labels = { app: 'web', tier: 'front', replicas: '3' };
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['app=web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app notin (db,web)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=back', false],
    ['replicas>2', true],
    ['replicas<2', false],
    ['app>2', false],
    ['missing=', false],
  ];
  for (const [selector, want] of cases) {
    it(`${JSON.stringify(selector)} → ${want}`, () =>
      assert.equal(matchesLabelString(selector, labels), want));
  }
  it('treats absent labels as empty', () => {
    assert.equal(matchesLabelString('!app', undefined), true);
    assert.equal(matchesLabelString('app', undefined), false);
  });
});

describe('metav1.LabelSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  const cases: Array<[string, Parameters<typeof matchesLabelSelector>[0], boolean]> = [
    ['null matches nothing', null, false],
    ['undefined matches nothing', undefined, false],
    ['empty matches everything', {}, true],
    ['empty lists match everything', { matchLabels: {}, matchExpressions: [] }, true],
    ['matchLabels', { matchLabels: { app: 'web' } }, true],
    ['matchLabels mismatch', { matchLabels: { app: 'db' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [
      'both must hold',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] },
      false,
    ],
  ];
  for (const [name, selector, want] of cases) {
    it(name, () => assert.equal(matchesLabelSelector(selector, labels), want));
  }

  it('distinguishes null from empty in requirements', () => {
    assert.equal(labelSelectorRequirements(null), null);
    assert.deepEqual(labelSelectorRequirements({}), []);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    [
      'unknown operator',
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      /^matchExpressions\[0\]\.operator: Unsupported value: "Gt"/,
    ],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, /values set can't be empty/],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      /^matchExpressions\[0\]\.values: .*values set must be empty/,
    ],
    ['bad key', { matchLabels: { 'a b': 'x' } }, /^key: Invalid value: "a b"/],
    ['bad value', { matchLabels: { a: 'x y' } }, /^values\[0\]\[a\]: Invalid value: "x y"/],
    ['non-string value', { matchLabels: { a: 3 } }, /matchLabels\[a\]/],
    ['selector is a string', 'app=web', /must be an object/],
    ['expressions not a list', { matchExpressions: {} }, /must be a list/],
    ['expression is null', { matchExpressions: [null] }, /Unsupported value/],
    [
      'values not strings',
      { matchExpressions: [{ key: 'a', operator: 'In', values: [1] }] },
      /list of strings/,
    ],
  ];
  for (const [name, selector, message] of bad) {
    it(`rejects ${name}`, () =>
      rejects(
        () => matchesLabelSelector(selector as Parameters<typeof matchesLabelSelector>[0], labels),
        message,
      ));
  }
});
