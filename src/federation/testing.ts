/**
 * Test-only fixture for the federation tests: a control plane and member API servers on
 * loopback (members with the workload controllers and a fake kubelet, so Deployments become
 * ready), clients for each, and the federation controllers with fast health timing.
 */
import { startTestServer, type TestServer } from '../../tests/helpers/apiserver.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { type RunningWorkloadControllers, startWorkloadControllers } from '../controllers/index.ts';
import { FakeKubelet } from '../controllers/testing/kubelet.ts';
import { type RunningFederation, startFederationControllers } from './index.ts';

/** One member cluster of the fixture. */
export interface TestMember {
  name: string;
  server: TestServer;
  client: Client;
  kubelet: FakeKubelet;
  controllers: RunningWorkloadControllers;
  /** Stops the member (server included); idempotent. */
  stop(): Promise<void>;
}

/** What {@link startFleet} gives a test. */
export interface Fleet {
  plane: TestServer;
  client: Client;
  members: TestMember[];
  federation: RunningFederation;
  close(): Promise<void>;
}

/** Fast timing for tests: probe every 200 ms, flips published after 1 s. */
export const TEST_HEALTH = { intervalMs: 200, failureThresholdMs: 1_000, successThresholdMs: 1_000 } as const;

async function startMember(name: string, subnet: number): Promise<TestMember> {
  const server = await startTestServer();
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: server.url }),
    qps: Number.POSITIVE_INFINITY,
  });
  const kubelet = new FakeKubelet({ client, node: `${name}-node`, subnet });
  await kubelet.start();
  const controllers = await startWorkloadControllers({ client });
  let stopped: Promise<void> | undefined;
  return {
    name,
    server,
    client,
    kubelet,
    controllers,
    stop() {
      stopped ??= (async () => {
        await controllers.stop();
        await kubelet.stop();
        await client.close();
        await server.close();
      })();
      return stopped;
    },
  };
}

/** Starts a control plane, `names.length` members and the federation controllers. */
export async function startFleet(names: readonly string[]): Promise<Fleet> {
  const plane = await startTestServer();
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: plane.url }),
    qps: Number.POSITIVE_INFINITY,
  });
  const members = await Promise.all(names.map((n, i) => startMember(n, i + 1)));
  const federation = await startFederationControllers({ client, health: TEST_HEALTH, workers: 2 });
  return {
    plane,
    client,
    members,
    federation,
    async close() {
      await federation.stop();
      await Promise.all(members.map((m) => m.stop()));
      await client.close();
      await plane.close();
    },
  };
}
