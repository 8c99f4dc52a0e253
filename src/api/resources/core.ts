/** core/v1 (the legacy `/api/v1` group): every built-in core kind. */
import type { ResourceDef } from '../resource-def.ts';
import { eventResource, namespaceResource, nodeResource, pvcResource } from './core-cluster.ts';
import { configMapResource, secretResource, serviceAccountResource } from './core-config.ts';
import { podResource } from './core-pod.ts';
import { endpointsResource, serviceResource } from './core-service.ts';

/** Fresh definitions of the core/v1 kinds. */
export function coreResources(): ResourceDef[] {
  return [
    namespaceResource(),
    serviceResource(),
    serviceAccountResource(),
    configMapResource(),
    secretResource(),
    eventResource(),
    podResource(),
    nodeResource(),
    endpointsResource(),
    pvcResource(),
  ];
}
