/**
 * Which ConfigMaps and Secrets a pod's containers read through `env` and `envFrom`, so the
 * kubelet hands the runtime only those (Secrets decoded).
 */
import type { KubeObject } from '../api/meta.ts';

// biome-ignore lint/suspicious/noExplicitAny: container specs are open JSON
type Obj = Record<string, any>;

/** Names of the ConfigMaps and Secrets the pod's (init) containers reference. */
export function referencedConfig(pod: KubeObject): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const list = (v: unknown): Obj[] =>
    Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null) : [];
  for (const c of [...list(pod.spec?.initContainers), ...list(pod.spec?.containers)]) {
    for (const from of list(c.envFrom)) {
      if (typeof from.configMapRef?.name === 'string') configMaps.add(from.configMapRef.name);
      if (typeof from.secretRef?.name === 'string') secrets.add(from.secretRef.name);
    }
    for (const e of list(c.env)) {
      const vf = e.valueFrom;
      if (typeof vf?.configMapKeyRef?.name === 'string') configMaps.add(vf.configMapKeyRef.name);
      if (typeof vf?.secretKeyRef?.name === 'string') secrets.add(vf.secretKeyRef.name);
    }
  }
  return { configMaps, secrets };
}
