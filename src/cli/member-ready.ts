/**
 * Waiting for a member cluster's Node to report Ready, as part of `flotilla up`'s ready line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';

/** Resolves once Node `nodeName` has condition Ready=True; rejects after `timeoutMs`. */
export async function waitForNodeReady(client: Client, nodeName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not registered';
  for (;;) {
    try {
      const node = await client.get(resources.nodes, { name: nodeName });
      const ready = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
      if (ready?.status === 'True') return;
      last = `Ready=${ready?.status ?? 'Unknown'}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`node ${nodeName} is not Ready after ${timeoutMs / 1000}s: ${last}`);
    await sleep(200);
  }
}
