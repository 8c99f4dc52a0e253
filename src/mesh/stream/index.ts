/**
 * The mesh stream: the controller's HTTP endpoint that hands every proxy versioned snapshots of
 * the compiled mesh and aggregates their metrics (`server.ts`), and the client each proxy runs
 * (`client.ts`).
 */
export { MeshClient, type MeshClientOptions } from './client.ts';
export { mergePrometheus } from './prometheus.ts';
export {
  type ConnectedProxy,
  type MeshServerOptions,
  type RunningMeshServer,
  startMeshServer,
} from './server.ts';
