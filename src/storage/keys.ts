/**
 * Key-range and revision helpers shared by the backends. Keys are compared in UTF-8 byte order
 * (etcd's and SQLite's BINARY order); for the ASCII keys the API server writes this equals
 * JavaScript's `<` on strings.
 */
import { StorageError } from './types.ts';

/**
 * The smallest string greater than every string starting with `prefix` (in code point order,
 * which equals UTF-8 byte order), or `undefined` when there is none (empty prefix).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number;
    if (last < 0x10ffff) {
      // Surrogate code points are not valid in UTF-8; skip over them.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** The first key a list reads: the later of the prefix and the continuation key. */
export function rangeStart(prefix: string, startKey: string | undefined): string {
  return startKey !== undefined && startKey > prefix ? startKey : prefix;
}

/** Converts a list/watch revision option to a number: absent, 0 or negative mean "current". */
export function normaliseRevision(revision: number | undefined): number {
  return revision === undefined || revision <= 0 ? 0 : revision;
}

/** The error for a read or watch below the compaction point. */
export function compactedError(revision: number, compactRevision?: number, cause?: unknown): StorageError {
  const point = compactRevision === undefined ? '' : ` (compaction point ${compactRevision})`;
  return new StorageError(
    'Compacted',
    `revision ${revision} has been compacted${point}`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * The error for a read or compaction at a revision the store has not reached yet. It is
 * `Unavailable` (retry later), the analogue of Kubernetes' "Too large resource version".
 */
export function futureRevisionError(revision: number, current?: number, cause?: unknown): StorageError {
  const now = current === undefined ? '' : ` (current revision ${current})`;
  return new StorageError(
    'Unavailable',
    `revision ${revision} is in the future${now}`,
    cause === undefined ? {} : { cause },
  );
}

/** The error every call gets after `close()`. */
export function closedError(): StorageError {
  return new StorageError('Unavailable', 'storage is closed');
}
