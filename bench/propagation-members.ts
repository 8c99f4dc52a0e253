/**
 * The propagation bench's member clusters, in a process of their own (as real members never
 * share the control plane's process): `node bench/propagation-members.ts N DIR` starts N
 * simulated clusters under DIR, prints one JSON line `{"members":[{"name","kubeconfig"}…]}` once
 * they serve, and stops them when its stdin closes or on SIGTERM.
 */
import type { RunningLocalCluster } from '../src/localcluster/index.ts';
import { startSimulatedClusters } from './simulated-clusters.ts';

const [nArg, dir] = process.argv.slice(2);
const n = Number(nArg);
if (!Number.isInteger(n) || n < 1 || !dir) {
  console.error('usage: propagation-members.ts N DIR');
  process.exit(2);
}
const members: RunningLocalCluster[] = [];
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(members.map((m) => m.stop()));
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
try {
  await startSimulatedClusters(n, dir, members);
} catch (err) {
  console.error(`members failed to start: ${(err as Error).message}`);
  await stop();
}
console.log(
  JSON.stringify({ members: members.map((m) => ({ name: m.name, kubeconfig: m.kubeconfigPath })) }),
);
