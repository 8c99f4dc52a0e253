/**
 * Flotilla's pod runtimes, the part of a local member cluster that replaces the kubelet's container
 * runtime. A kubelet loop (elsewhere) watches pods, calls `syncPod`/`killPod` and writes back
 * `podStatus` and events; the runtime itself never talks to an API server.
 *
 * - `process`: each pod gets an IP from the cluster's pod CIDR inside 127.0.0.0/8; each container
 *   is a child process bound there, found through the image catalog or run from its `command`.
 * - `simulated`: pods become Running and Ready without processes, for scale.
 */
import { ProcessRuntime, type ProcessRuntimeOptions } from './process/runtime.ts';
import { SimulatedRuntime, type SimulatedRuntimeOptions } from './simulated/runtime.ts';
import type { PodRuntime } from './types.ts';

export { IpAllocator } from './ip.ts';
export type { BackoffOptions } from './process/backoff.ts';
export { KUBELET_BACKOFF } from './process/backoff.ts';
export type { CatalogEntry } from './process/catalog.ts';
export { ImageCatalog, parseCatalog } from './process/catalog.ts';
export { PidRegistry } from './process/pids.ts';
export type { ProcessRuntimeOptions } from './process/runtime.ts';
export { ProcessRuntime } from './process/runtime.ts';
export type { SimulatedRuntimeOptions } from './simulated/runtime.ts';
export { SimulatedRuntime } from './simulated/runtime.ts';
export * from './types.ts';

/** Creates a pod runtime of `kind`; throws TypeError for a malformed pod CIDR (a configuration error). */
export function createRuntime(kind: 'process', options: ProcessRuntimeOptions): ProcessRuntime;
export function createRuntime(kind: 'simulated', options: SimulatedRuntimeOptions): SimulatedRuntime;
export function createRuntime(
  kind: 'process' | 'simulated',
  options: ProcessRuntimeOptions | SimulatedRuntimeOptions,
): PodRuntime;
export function createRuntime(
  kind: 'process' | 'simulated',
  options: ProcessRuntimeOptions | SimulatedRuntimeOptions,
): PodRuntime {
  if (kind === 'process') return new ProcessRuntime(options as ProcessRuntimeOptions);
  return new SimulatedRuntime(options);
}
