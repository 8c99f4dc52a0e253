import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WireError, WireReader } from './wire.ts';

const reader = (...bytes: number[]) => new WireReader(Uint8Array.from(bytes));

test('varints decode at every width, including 2^53 and sign-extended negatives', () => {
  assert.equal(reader(0x00).varint(), 0);
  assert.equal(reader(0xac, 0x02).varint(), 300);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x0f).varint(), 2 ** 32 - 1);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10).int64(), 2 ** 53);
  const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.equal(reader(...minusOne).int64(), -1);
  assert.equal(reader(...minusOne).int32(), -1);
  const minInt32 = [0x80, 0x80, 0x80, 0x80, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.equal(reader(...minInt32).int32(), -(2 ** 31));
  assert.equal(reader(0x01).bool(), true);
});

test('length-delimited values, doubles, and skipping by wire type', () => {
  const r = reader(
    0x0a,
    0x02,
    0x68,
    0x69,
    0x11,
    ...new Uint8Array(new Float64Array([2.5]).buffer),
    0x1d,
    1,
    2,
    3,
    4,
    0x20,
    0x07,
  );
  assert.deepEqual(r.tag(), { field: 1, wire: 2 });
  assert.equal(r.string(), 'hi');
  assert.deepEqual(r.tag(), { field: 2, wire: 1 });
  assert.equal(r.double(), 2.5);
  const t = r.tag();
  assert.deepEqual(t, { field: 3, wire: 5 });
  r.skip(t.wire);
  assert.deepEqual(r.tag(), { field: 4, wire: 0 });
  assert.equal(r.varint(), 7);
  assert.equal(r.done, true);
});

test('malformed input throws WireError', () => {
  assert.throws(() => reader(0x80).varint(), WireError);
  assert.throws(() => reader(0x0a, 0x05, 0x01).bytes(), WireError);
  assert.throws(() => reader(0x01, 0x02).double(), WireError);
  assert.throws(() => reader(0x00).tag(), WireError);
  assert.throws(() => reader().skip(3), WireError);
  assert.throws(() => reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02).varint(), WireError);
});
