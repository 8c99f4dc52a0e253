/**
 * Starts simulated local clusters for benchmarks, ten at a time, in one process on memory
 * storage with distinct (non-loopback) pod CIDRs.
 */
import { type RunningLocalCluster, startLocalCluster } from '../src/localcluster/index.ts';
import { silentLogger } from '../src/log/index.ts';

/** Starts `n` simulated clusters named `sim0…` under `stateDir`, appending each to `into` as it starts (so callers can stop them even when a later start fails). */
export async function startSimulatedClusters(
  n: number,
  stateDir: string,
  into: RunningLocalCluster[],
): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, (_, j) =>
      startLocalCluster({
        name: `sim${i + j}`,
        index: (i + j) % 90,
        podCidr: `10.${i + j}.0.0/16`,
        serviceCidr: '10.96.0.0/16',
        stateDir,
        port: 0,
        runtime: 'simulated',
        storeUrl: 'memory://',
        podEvents: false,
        logger: silentLogger(),
      }),
    );
    into.push(...(await Promise.all(batch)));
  }
}
