import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  escapeFieldValue,
  matchesFields,
  parseFieldSelector,
  unescapeFieldValue,
  validateFieldKeys,
} from './field-selector.ts';

function rejects(fn: () => unknown, message: string): void {
  assert.throws(fn, { code: 400, reason: 'BadRequest', message });
}

describe('parseFieldSelector', () => {
  const cases: Array<[string, ReturnType<typeof parseFieldSelector>]> = [
    ['', []],
    ['metadata.name=web', [{ field: 'metadata.name', operator: '=', value: 'web' }]],
    ['metadata.name==web', [{ field: 'metadata.name', operator: '=', value: 'web' }]],
    ['status.phase!=Running', [{ field: 'status.phase', operator: '!=', value: 'Running' }]],
    ['a=', [{ field: 'a', operator: '=', value: '' }]],
    [
      'involvedObject.uid=u,involvedObject.name=web,,',
      [
        { field: 'involvedObject.name', operator: '=', value: 'web' },
        { field: 'involvedObject.uid', operator: '=', value: 'u' },
      ],
    ],
    ['a=x\\,y\\=z\\\\', [{ field: 'a', operator: '=', value: 'x,y=z\\' }]],
  ];
  for (const [input, want] of cases) {
    it(`parses ${JSON.stringify(input)}`, () => assert.deepEqual(parseFieldSelector(input), want));
  }

  it('rejects a term without an operator', () =>
    rejects(() => parseFieldSelector('a=b,web'), "invalid selector: 'a=b,web'; can't understand 'web'"));
  it('rejects a bad escape', () =>
    rejects(() => parseFieldSelector('a=\\x'), 'invalid field selector: invalid escape sequence: \\x'));
  it('rejects a trailing backslash', () =>
    rejects(() => parseFieldSelector('a=x\\'), 'invalid field selector: invalid escape sequence: \\'));
  it('rejects an unescaped =', () =>
    rejects(() => parseFieldSelector('a=b=c'), 'invalid field selector: unescaped character in value: 61'));
  it('rejects a non-string', () =>
    rejects(() => parseFieldSelector(42 as unknown as string), 'field selector must be a string'));
});

describe('escaping', () => {
  for (const v of ['plain', 'a,b', 'a=b', 'a\\b', '\\,=']) {
    it(`round-trips ${JSON.stringify(v)}`, () => assert.equal(unescapeFieldValue(escapeFieldValue(v)), v));
  }
});

describe('matchesFields', () => {
  const fields: Record<string, string> = { 'metadata.name': 'web', 'metadata.namespace': 'default' };
  const get = (f: string): string | undefined => fields[f];
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['metadata.name=web', true],
    ['metadata.name=db', false],
    ['metadata.name!=db', true],
    ['metadata.name=web,metadata.namespace=kube-system', false],
    ['spec.nodeName=', true],
    ['spec.nodeName!=', false],
  ];
  for (const [selector, want] of cases) {
    it(`${JSON.stringify(selector)} → ${want}`, () =>
      assert.equal(matchesFields(parseFieldSelector(selector), get), want));
  }
});

describe('validateFieldKeys', () => {
  const allowed = ['metadata.name', 'metadata.namespace'];
  it('accepts known keys', () => validateFieldKeys(parseFieldSelector('metadata.name=x'), allowed));
  it('rejects an unknown key', () =>
    rejects(
      () => validateFieldKeys(parseFieldSelector('metadata.name=x,spec.foo=y'), new Set(allowed)),
      'field label not supported: spec.foo',
    ));
});
