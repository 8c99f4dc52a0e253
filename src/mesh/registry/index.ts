/**
 * The mesh registry: what the mesh controller knows. `merge.ts` turns every member cluster's
 * Services, EndpointSlices and Pods into mesh services (pure); `member-watch.ts` caches one member;
 * `controller.ts` watches the control plane's Istio objects and every member, compiles, publishes,
 * and reports invalid configuration on the objects (`status.ts`).
 */
export { MeshController, type MeshControllerOptions } from './controller.ts';
export { type ClusterView, type Locality, localityOf, mergeServices, workloadOf } from './merge.ts';
export { diagnosticKey, messagesByObject, StatusReporter, type ValidationMessage } from './status.ts';
