/**
 * Child process for the sqlite durability test: opens the store at the URL in argv[2] and
 * creates keys forever, printing each key on its own line only after `create` resolved. The
 * test kills it with SIGKILL and checks every printed key survived.
 */
import { openStorage } from '../index.ts';

const url = process.argv[2];
if (url === undefined) throw new Error('usage: durability-writer.ts STORAGE_URL');
const storage = await openStorage(url);
const value = 'x'.repeat(512);
for (let i = 0; ; i++) {
  const key = `/durable/${String(i).padStart(8, '0')}`;
  await storage.create(key, value);
  // Wait for the line to reach the pipe: the loop never yields otherwise (sqlite calls are
  // synchronous), so buffered output would never flush.
  await new Promise((resolve) => process.stdout.write(`${key}\n`, resolve));
}
