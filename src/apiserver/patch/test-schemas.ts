/**
 * PatchSchemas used by this folder's tests: a Deployment-like and a Pod-like shape with the
 * merge keys and strategies of the real Go types. Test support only; the real per-kind schemas
 * live with the kinds.
 */
import type { PatchSchema } from '../../api/patch-schema.ts';

const container: PatchSchema = {
  fields: {
    ports: { strategy: 'merge', mergeKey: 'containerPort', items: {} },
    env: { strategy: 'merge', mergeKey: 'name', items: {} },
    volumeMounts: { strategy: 'merge', mergeKey: 'mountPath', items: {} },
  },
};

const podSpec: PatchSchema = {
  fields: {
    containers: { strategy: 'merge', mergeKey: 'name', items: container },
    initContainers: { strategy: 'merge', mergeKey: 'name', items: container },
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name', items: {} },
    imagePullSecrets: { strategy: 'merge', mergeKey: 'name', items: {} },
  },
};

const objectMeta: PatchSchema = {
  fields: {
    finalizers: { strategy: 'merge', items: {} },
    ownerReferences: { strategy: 'merge', mergeKey: 'uid', items: {} },
  },
};

/** A Deployment-like schema: containers by name, ports by containerPort, env by name, finalizers as a set. */
export const deploymentSchema: PatchSchema = {
  fields: {
    metadata: objectMeta,
    spec: {
      fields: {
        strategy: { strategy: 'retainKeys' },
        template: { fields: { metadata: objectMeta, spec: podSpec } },
      },
    },
    status: { fields: { conditions: { strategy: 'merge', mergeKey: 'type', items: {} } } },
  },
};

/** A Pod-like schema. */
export const podSchema: PatchSchema = { fields: { metadata: objectMeta, spec: podSpec } };
