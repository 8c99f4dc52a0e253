/**
 * Test-only harness: a real API server on memory storage, a client for it, a fake kubelet for
 * one node, and the workload controllers running against it.
 */
import { startTestServer, type TestServer } from '../../../tests/helpers/apiserver.ts';
import type { KubeObject } from '../../api/meta.ts';
import { Client } from '../../client/client.ts';
import { kubeConfigFromUrl } from '../../client/kubeconfig.ts';
import { type ResourceRef, resources } from '../../client/resources.ts';
import { type RunningWorkloadControllers, startWorkloadControllers } from '../index.ts';
import { FakeKubelet, type FakeKubeletOptions } from './kubelet.ts';

/** What {@link startHarness} gives a test. */
export interface Harness {
  t: TestServer;
  client: Client;
  kubelet: FakeKubelet;
  controllers: RunningWorkloadControllers;
  /** Lists objects of `ref` in `namespace` (default `default`). */
  list(ref: ResourceRef, namespace?: string, labelSelector?: string): Promise<KubeObject[]>;
  /** Events in `namespace` whose involvedObject is named `name`. */
  events(name: string, namespace?: string): Promise<KubeObject[]>;
  close(): Promise<void>;
}

/** Starts server, kubelet (node `node-1`) and controllers. */
export async function startHarness(
  kubelet: Partial<Omit<FakeKubeletOptions, 'client'>> = {},
): Promise<Harness> {
  const t = await startTestServer();
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: t.url }),
    qps: Number.POSITIVE_INFINITY,
  });
  const k = new FakeKubelet({ client, node: 'node-1', ...kubelet });
  await k.start();
  const controllers = await startWorkloadControllers({ client });
  const list = async (ref: ResourceRef, namespace = 'default', labelSelector?: string) =>
    (await client.list(ref, { namespace, labelSelector })).items;
  return {
    t,
    client,
    kubelet: k,
    controllers,
    list,
    events: async (name, namespace = 'default') =>
      (await list(resources.events, namespace)).filter((e) => e.involvedObject?.name === name),
    async close() {
      await controllers.stop();
      await k.stop();
      await client.close();
      await t.close();
    },
  };
}
