/**
 * Periodic compaction: keeps the newest `keep` revisions of history so storage does not grow
 * without bound; watches older than that get 410 Expired and relist.
 */
import type { Logger } from 'pino';
import type { Storage } from '../../storage/types.ts';

/** Starts compacting every `intervalMs`; `stop()` ends it. */
export function startCompaction(options: {
  storage: Storage;
  logger: Logger;
  intervalMs: number;
  keep: number;
}): { stop(): void } {
  let last = 0;
  const timer = setInterval(async () => {
    try {
      const current = await options.storage.currentRevision();
      const target = current - options.keep;
      if (target > last) {
        await options.storage.compact(target);
        last = target;
        options.logger.debug({ revision: target }, 'compacted storage history');
      }
    } catch (err) {
      options.logger.warn({ err }, 'compaction failed');
    }
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
