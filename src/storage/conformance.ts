/**
 * The one conformance suite for `Storage`: `describeStorageConformance(target)` registers
 * `node:test` tests that every backend must pass. It asserts only behaviour that holds for all
 * backends (revisions are compared relative to each other, except where the target declares it
 * owns its revision counter).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  isStorageError,
  type KeyValue,
  type Storage,
  type StorageErrorCode,
  type StorageEvent,
} from './types.ts';
import { collectWatch } from './watch-collector.ts';

/** A backend under test. */
export interface ConformanceTarget {
  name: string;
  /** Runs once before the tests (e.g. starts etcd); a failure fails every test. */
  setup?(): Promise<void>;
  /** Runs once after the tests. */
  teardown?(): Promise<void>;
  /** A store with an empty keyspace; each test opens its own and closes it. */
  open(): Promise<Storage>;
  /** The store counts only its own writes and starts at revision 1 (true for memory and sqlite). */
  exclusiveRevisions: boolean;
}

async function rejectsWith(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isStorageError(err, code), `expected StorageError ${code}, got ${String(err)}`);
    return true;
  });
}

/** The fields of an event a user observes, for deepEqual. */
function summary(e: StorageEvent): { type: string; created: boolean; kv: KeyValue; prev?: KeyValue } {
  return e.prev === undefined
    ? { type: e.type, created: e.created, kv: { ...e.kv } }
    : { type: e.type, created: e.created, kv: { ...e.kv }, prev: { ...e.prev } };
}

const kv = (key: string, value: string, createRevision: number, modRevision: number): KeyValue => ({
  key,
  value,
  createRevision,
  modRevision,
});

/** Registers the conformance tests for `target` under `describe(target.name)`. */
export function describeStorageConformance(target: ConformanceTarget): void {
  describe(`Storage conformance: ${target.name}`, () => {
    // A setup failure (say, no etcd binary) fails every test with its message, rather than
    // cancelling them, so the run reports failures, not a quiet "cancelled".
    let setupError: unknown;
    before(async () => {
      await target.setup?.().catch((err: unknown) => {
        setupError = err;
      });
    });
    if (target.teardown) after(() => target.teardown?.());
    const open = async (): Promise<Storage> => {
      if (setupError !== undefined) throw new Error(`${target.name} setup failed: ${String(setupError)}`);
      return target.open();
    };

    const test = (name: string, fn: (s: Storage) => Promise<void>): void => {
      it(name, async () => {
        const s = await open();
        try {
          await fn(s);
        } finally {
          await s.close();
        }
      });
    };

    if (target.exclusiveRevisions) {
      test('a fresh store is at revision 1 and its first write gets revision 2 (as etcd)', async (s) => {
        assert.equal(await s.currentRevision(), 1);
        assert.deepEqual(await s.create('/a', 'x'), kv('/a', 'x', 2, 2));
        assert.equal(await s.currentRevision(), 2);
      });
    }

    test('create and get; create of an existing key fails with KeyExists', async (s) => {
      const before = await s.currentRevision();
      const created = await s.create('/ns/a', 'v1');
      assert.ok(created.modRevision > before);
      assert.deepEqual(created, kv('/ns/a', 'v1', created.modRevision, created.modRevision));
      assert.equal(await s.currentRevision(), created.modRevision);
      assert.deepEqual(await s.get('/ns/a'), created);
      assert.equal(await s.get('/ns/missing'), undefined);
      await rejectsWith(s.create('/ns/a', 'v2'), 'KeyExists');
      assert.deepEqual(await s.get('/ns/a'), created);
    });

    test('update needs the current modRevision: Conflict when stale, NotFound when absent', async (s) => {
      const c = await s.create('/u/a', '1');
      const u = await s.update('/u/a', '2', c.modRevision);
      assert.ok(u.modRevision > c.modRevision);
      assert.deepEqual(u, kv('/u/a', '2', c.modRevision, u.modRevision));
      await rejectsWith(s.update('/u/a', '3', c.modRevision), 'Conflict');
      await rejectsWith(s.update('/u/missing', '3', u.modRevision), 'NotFound');
      await rejectsWith(s.update('/u/missing', '3', 0), 'NotFound');
      assert.deepEqual(await s.get('/u/a'), u);
    });

    test('delete returns the last value at the deletion revision; recreate starts a new life', async (s) => {
      const c = await s.create('/d/a', '1');
      const u = await s.update('/d/a', '2', c.modRevision);
      await rejectsWith(s.delete('/d/a', c.modRevision), 'Conflict');
      const d = await s.delete('/d/a', u.modRevision);
      assert.ok(d.modRevision > u.modRevision);
      assert.deepEqual(d, kv('/d/a', '2', c.modRevision, d.modRevision));
      assert.equal(await s.currentRevision(), d.modRevision);
      assert.equal(await s.get('/d/a'), undefined);
      await rejectsWith(s.delete('/d/a'), 'NotFound');
      await rejectsWith(s.update('/d/a', '3', d.modRevision), 'NotFound');
      const again = await s.create('/d/a', '3');
      assert.equal(again.createRevision, again.modRevision);
      assert.ok(again.modRevision > d.modRevision);
      const d2 = await s.delete('/d/a');
      assert.equal(d2.value, '3');
    });

    test('list returns the keys under a prefix in key order, at the current revision', async (s) => {
      for (const key of ['/p/b', '/p/a', '/p0', '/p/c/x', '/q/a', '/p']) await s.create(key, key);
      await s.delete('/p/b');
      const res = await s.list('/p/');
      assert.deepEqual(
        res.items.map((i) => i.key),
        ['/p/a', '/p/c/x'],
      );
      assert.equal(res.revision, await s.currentRevision());
      assert.equal(res.more, false);
      assert.equal((await s.list('/nothing/')).items.length, 0);
      assert.deepEqual(
        (await s.list('')).items.map((i) => i.key),
        ['/p', '/p/a', '/p/c/x', '/p0', '/q/a'],
      );
    });

    test('list pages with limit and startKey at a fixed revision', async (s) => {
      const made: KeyValue[] = [];
      for (const i of [1, 2, 3, 4, 5]) made.push(await s.create(`/l/${i}`, `v${i}`));
      await s.create('/l0', 'outside');
      const page1 = await s.list('/l/', { limit: 2 });
      assert.deepEqual(page1.items, made.slice(0, 2));
      assert.equal(page1.more, true);
      const third = made[2] as KeyValue;
      await s.update('/l/3', 'changed', third.modRevision);
      await s.create('/l/6', 'v6');
      const page2 = await s.list('/l/', { limit: 2, startKey: '/l/2\0', revision: page1.revision });
      assert.deepEqual(page2.items, made.slice(2, 4));
      assert.equal(page2.more, true);
      assert.equal(page2.revision, page1.revision);
      const page3 = await s.list('/l/', { limit: 2, startKey: '/l/4\0', revision: page1.revision });
      assert.deepEqual(page3.items, made.slice(4));
      assert.equal(page3.more, false);
      const now = await s.list('/l/', { limit: 6 });
      assert.equal(now.items.length, 6);
      assert.equal(now.more, false);
      assert.equal(now.items[2]?.value, 'changed');
    });

    test('list at a past revision shows the state then; a future revision is Unavailable', async (s) => {
      const a = await s.create('/h/a', '1');
      const b = await s.create('/h/b', '1');
      const past = b.modRevision;
      await s.update('/h/a', '2', a.modRevision);
      await s.delete('/h/b');
      await s.create('/h/c', '1');
      const then = await s.list('/h/', { revision: past });
      assert.deepEqual(then.items, [a, b]);
      assert.equal(then.revision, past);
      const before = await s.list('/h/', { revision: a.modRevision });
      assert.deepEqual(before.items, [a]);
      const current = await s.currentRevision();
      await rejectsWith(s.list('/h/', { revision: current + 1000 }), 'Unavailable');
    });

    test('watch replays changes after a past revision, then follows', async (s) => {
      const base = await s.currentRevision();
      const a1 = await s.create('/r/a', '1');
      const a2 = await s.update('/r/a', '2', a1.modRevision);
      const b = await s.create('/r/b', '1');
      const del = await s.delete('/r/b');
      await s.create('/other/x', '1');
      const w = await collectWatch(s, '/r/', base);
      const replayed = await w.waitForEvents(4);
      assert.deepEqual(replayed.map(summary), [
        { type: 'put', created: true, kv: a1 },
        { type: 'put', created: false, kv: a2, prev: a1 },
        { type: 'put', created: true, kv: b },
        { type: 'delete', created: false, kv: kv('/r/b', '1', b.modRevision, del.modRevision), prev: b },
      ]);
      const a3 = await s.update('/r/a', '3', a2.modRevision);
      const all = await w.waitForEvents(5);
      assert.deepEqual(all.slice(4).map(summary), [{ type: 'put', created: false, kv: a3, prev: a2 }]);
      const fromMiddle = await collectWatch(s, '/r/', a2.modRevision);
      const tail = await fromMiddle.waitForEvents(3);
      assert.deepEqual(
        tail.map((e) => e.kv.modRevision),
        [b.modRevision, del.modRevision, a3.modRevision],
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(w.events.length, 5, 'no events outside the prefix or duplicates');
      await w.handle.close();
      await fromMiddle.handle.close();
    });

    test('watch from now delivers concurrent writes once each, in revision order', async (s) => {
      const w = await collectWatch(s, '/o/', await s.currentRevision());
      const writes = await Promise.all(Array.from({ length: 50 }, (_, i) => s.create(`/o/${i}`, `${i}`)));
      await s.create('/not-o/x', 'x');
      const events = await w.waitForEvents(50);
      const revisions = events.map((e) => e.kv.modRevision);
      assert.deepEqual(
        revisions,
        writes.map((x) => x.modRevision).sort((x, y) => x - y),
      );
      for (const batch of w.batches) assert.ok(batch.length > 0);
      await w.handle.close();
    });

    test('a watch from a future revision starts delivering after it', async (s) => {
      const w = await collectWatch(s, '/f/', (await s.currentRevision()) + 2);
      for (const i of [1, 2, 3]) await s.create(`/f/${i}`, `${i}`);
      await w.waitForEvents(1);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        w.events.map((e) => e.kv.key),
        ['/f/3'],
      );
      await w.handle.close();
    });

    test('a closed watch gets no more callbacks', async (s) => {
      const w = await collectWatch(s, '/c/', 0);
      await s.create('/c/1', '1');
      await w.waitForEvents(1);
      await w.handle.close();
      await s.create('/c/2', '2');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(w.events.length, 1);
    });

    test('compaction: reads and watches below the point fail with Compacted, at the point work', async (s) => {
      const gone = await s.create('/k/gone', '1');
      await s.delete('/k/gone', gone.modRevision);
      const a1 = await s.create('/k/a', '1');
      const a2 = await s.update('/k/a', '2', a1.modRevision);
      const point = a2.modRevision;
      const b = await s.create('/k/b', '1');
      const bDel = await s.delete('/k/b');
      await s.compact(point);
      await rejectsWith(s.list('/k/', { revision: a1.modRevision }), 'Compacted');
      assert.deepEqual((await s.list('/k/', { revision: point })).items, [a2]);
      assert.deepEqual((await s.list('/k/')).items, [a2]);
      assert.deepEqual(await s.get('/k/a'), a2);
      await rejectsWith(s.watch('/k/', a1.modRevision, { onEvents() {}, onError() {} }), 'Compacted');
      const w = await collectWatch(s, '/k/', point);
      const events = await w.waitForEvents(2);
      assert.deepEqual(events.map(summary), [
        { type: 'put', created: true, kv: b },
        { type: 'delete', created: false, kv: kv('/k/b', '1', b.modRevision, bDel.modRevision), prev: b },
      ]);
      await w.handle.close();
      await s.compact(a1.modRevision); // at or below the point: a no-op
      await rejectsWith(s.compact((await s.currentRevision()) + 1000), 'Unavailable');
      const later = await s.update('/k/a', '3', a2.modRevision);
      assert.ok(later.modRevision > bDel.modRevision);
    });

    test('concurrent writers: optimistic concurrency loses no update and admits one creator', async (s) => {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => s.create('/cc/one', `${i}`)),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(isStorageError(r.reason, 'KeyExists'));
      await s.create('/cc/counter', '0');
      let conflicts = 0;
      const worker = async (): Promise<void> => {
        for (let done = 0; done < 20; ) {
          const cur = (await s.get('/cc/counter')) as KeyValue;
          try {
            await s.update('/cc/counter', String(Number(cur.value) + 1), cur.modRevision);
            done++;
          } catch (err) {
            if (!isStorageError(err, 'Conflict')) throw err;
            conflicts++;
          }
        }
      };
      await Promise.all(Array.from({ length: 5 }, worker));
      assert.equal((await s.get('/cc/counter'))?.value, '100');
      assert.ok(conflicts > 0, 'the workers should have collided at least once');
    });

    it('close ends watches and later calls fail with Unavailable', async () => {
      const s = await open();
      const w = await collectWatch(s, '/z/', 0);
      await s.close();
      assert.ok(isStorageError(await w.waitForError(), 'Unavailable'));
      await rejectsWith(s.get('/z/a'), 'Unavailable');
      await rejectsWith(s.create('/z/a', '1'), 'Unavailable');
      await s.close();
    });
  });
}
