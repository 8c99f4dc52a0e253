/**
 * The dashboard: a web page showing the fleet at a glance — clusters and their readiness,
 * where each workload runs and why, live traffic across clusters, policies and what they claim —
 * served over HTTP beside the control plane. It is an ordinary API client: it reads the control
 * plane with list/watch through the kubeconfig it is given, keeps no state beyond memory, and
 * lets in only requests whose bearer token the API server accepts. `flotilla up` starts one;
 * `flotilla dashboard --kubeconfig FILE` runs one alone.
 */
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Client } from '../client/client.ts';
import { silentLogger } from '../log/index.ts';
import { TokenVerifier } from './auth.ts';
import { createDashboardServer } from './http.ts';
import { FleetState } from './state.ts';
import { TrafficSource, type TrafficSourceOptions } from './traffic-source.ts';

export { TOPICS, type Topic } from './http.ts';
export { dashboardLink } from './link.ts';

/** The page's files. */
export const WEB_DIR = resolve(import.meta.dirname, '../../web');

/** Options for {@link startDashboard}. */
export interface DashboardOptions {
  /** The control plane to show; its user must be able to list and watch every kind shown. */
  kubeConfig: KubeConfig;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 picks a free one. */
  port: number;
  /** The mesh's Prometheus endpoint, or a function asked on every poll; undefined: none. */
  metricsUrl?: TrafficSourceOptions['url'];
  /** Traffic poll period; default 2 s. */
  trafficIntervalMs?: number;
  /** Rate window; default 10 s. */
  trafficWindowMs?: number;
  /** Where the page's files are; default the checkout's `web/`. */
  webDir?: string;
  logger?: Logger;
}

/** A running dashboard. */
export interface RunningDashboard {
  /** `http://host:port` (no trailing slash). */
  url: string;
  port: number;
  /** Stops the server, the event streams, the informers and the traffic poller. */
  close(): Promise<void>;
}

/**
 * Starts the informers and the traffic poller, then listens; resolves once listening (the
 * informers sync in the background, so a page opened at once fills in within moments). Rejects
 * with the listen error (e.g. EADDRINUSE) after stopping everything it started.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const logger = options.logger ?? silentLogger();
  const host = options.host ?? '127.0.0.1';
  const client = new Client({
    kubeConfig: options.kubeConfig,
    timeoutMs: 30_000,
    userAgent: 'flotilla-dashboard',
  });
  const verifier = new TokenVerifier({ kubeConfig: options.kubeConfig });
  const state = new FleetState({ client, logger });
  const traffic = new TrafficSource({
    url: options.metricsUrl,
    logger,
    ...(options.trafficIntervalMs !== undefined ? { intervalMs: options.trafficIntervalMs } : {}),
    ...(options.trafficWindowMs !== undefined ? { windowMs: options.trafficWindowMs } : {}),
  });
  const http = createDashboardServer({
    state,
    traffic,
    verifier,
    client,
    webDir: options.webDir ?? WEB_DIR,
    logger,
  });
  const stopAll = async () => {
    http.closeStreams();
    traffic.stop();
    await state.stop();
    await verifier.close();
    await client.close();
  };
  state.start();
  traffic.start();
  try {
    await new Promise<void>((done, fail) => {
      http.server.once('error', fail);
      http.server.listen(options.port, host, () => {
        http.server.off('error', fail);
        done();
      });
    });
  } catch (err) {
    await stopAll();
    throw err;
  }
  const port = (http.server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url }, 'dashboard listening');
  return {
    url,
    port,
    async close() {
      http.closeStreams();
      http.server.closeAllConnections();
      await new Promise<void>((done) => http.server.close(() => done()));
      await stopAll();
    },
  };
}
