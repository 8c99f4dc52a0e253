/**
 * Runs a {@link ServiceProxy} on its own informers (Services and EndpointSlices of every
 * namespace) over a local cluster's client.
 */
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { InformerFactory } from '../controller/factory.ts';
import type { Logger } from '../log/index.ts';
import { ServiceProxy } from './service-proxy.ts';

/** Starts the proxy once its caches are synced; `stop` closes listeners and informers. */
export async function startServiceProxy(client: Client, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const factory = new InformerFactory({ client, logger });
  const proxy = new ServiceProxy({
    services: factory.informer(resources.services),
    endpointSlices: factory.informer(resources.endpointslices),
    logger,
  });
  factory.start();
  try {
    await factory.waitForSync();
  } catch (err) {
    await factory.stop();
    throw err;
  }
  proxy.start();
  return {
    async stop() {
      await proxy.stop();
      await factory.stop();
    },
  };
}
