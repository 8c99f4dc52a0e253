import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocateWebster, tieBreakOrder } from './webster.ts';

// fnv32a('uid-a') is odd (descending ties), fnv32a('uid-b') even (ascending).
describe('allocateWebster', () => {
  const cases: {
    name: string;
    seats: number;
    votes: Record<string, number>;
    uid?: string;
    initial?: Record<string, number>;
    want: Record<string, number>;
  }[] = [
    { name: '§3: 9 replicas at 1:2 → 3:6', seats: 9, votes: { a: 1, b: 2 }, want: { a: 3, b: 6 } },
    { name: '§3: 9 replicas at 1:3 → 2:7', seats: 9, votes: { a: 1, b: 3 }, want: { a: 2, b: 7 } },
    {
      name: '§3: 12 over available 6:12:18 → 2:4:6',
      seats: 12,
      votes: { A: 6, B: 12, C: 18 },
      want: { A: 2, B: 4, C: 6 },
    },
    { name: 'tie without UID: ascending names win', seats: 3, votes: { a: 1, b: 1 }, want: { a: 2, b: 1 } },
    {
      name: 'tie with even-hash UID: ascending',
      seats: 3,
      votes: { a: 1, b: 1 },
      uid: 'uid-b',
      want: { a: 2, b: 1 },
    },
    {
      name: 'tie with odd-hash UID: descending',
      seats: 3,
      votes: { a: 1, b: 1 },
      uid: 'uid-a',
      want: { a: 1, b: 2 },
    },
    {
      name: 'three-way tie, odd UID',
      seats: 1,
      votes: { a: 5, b: 5, c: 5 },
      uid: 'uid-c',
      want: { a: 0, b: 0, c: 1 },
    },
    { name: 'zero-vote parties take nothing', seats: 4, votes: { a: 0, b: 3 }, want: { a: 0, b: 4 } },
    {
      name: 'initial seats count against priority',
      seats: 2,
      votes: { a: 1, b: 1 },
      initial: { a: 2 },
      want: { a: 2, b: 2 },
    },
    { name: 'no seats', seats: 0, votes: { a: 1 }, want: { a: 0 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = allocateWebster(c.seats, c.votes, c.initial ?? {}, c.uid);
      assert.deepEqual(d.result, c.want);
      assert.equal(d.rounds.length, c.seats);
    });
  }

  it('records ties with the rule that decided them', () => {
    const d = allocateWebster(3, { a: 1, b: 1 }, {}, 'uid-a');
    assert.equal(d.tieBreak, 'descending');
    assert.deepEqual(d.ties[0], { round: 1, tied: ['a', 'b'], winner: 'b', rule: 'name' });
    assert.deepEqual(d.rounds, ['b', 'a', 'b']);
  });

  it('fewer seats beats the name order on a priority tie', () => {
    // a:3 votes 1 seat → 1; b:1 vote 0 seats → 1: tie, b has fewer seats.
    const d = allocateWebster(1, { a: 3, b: 1 }, { a: 1 });
    assert.deepEqual(d.result, { a: 1, b: 1 });
    assert.equal(d.ties[0]?.rule, 'fewerSeats');
  });

  it('tieBreakOrder is ascending without a UID', () => {
    assert.deepEqual(tieBreakOrder(undefined), { order: 'ascending' });
    assert.equal(tieBreakOrder('uid-a').order, 'descending');
  });
});
