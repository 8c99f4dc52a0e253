/**
 * The environment a kubelet gives every container about the Services of its namespace (docker
 * links style: `<SVC>_SERVICE_HOST`, `<SVC>_PORT_<port>_<PROTO>_ADDR`, …), built from Service
 * objects as kubelet's `getServiceEnvVarMap` and `envvars.FromServices` do.
 */
import type { KubeObject } from '../api/meta.ts';

// biome-ignore lint/suspicious/noExplicitAny: service specs are open JSON
type Obj = Record<string, any>;

function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

/** True when a Service has a ClusterIP the variables can name (not headless, not ExternalName). */
export function hasClusterIP(svc: KubeObject): boolean {
  const ip = svc.spec?.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None';
}

/**
 * The service variables for `services` (one namespace's), sorted by name as kubelet sorts them;
 * headless and ExternalName Services contribute nothing. Never throws.
 */
export function serviceEnv(services: readonly KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  const sorted = [...services].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const svc of sorted) {
    if (!hasClusterIP(svc)) continue;
    const ports: Obj[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    const first = ports[0];
    if (first === undefined) continue;
    const name = envName(svc.metadata.name ?? '');
    const ip = String(svc.spec.clusterIP);
    env[`${name}_SERVICE_HOST`] = ip;
    env[`${name}_SERVICE_PORT`] = String(first.port);
    for (const p of ports) {
      if (typeof p.name === 'string' && p.name !== '')
        env[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    }
    const proto = (p: Obj) => String(p.protocol ?? 'TCP');
    env[`${name}_PORT`] = `${proto(first).toLowerCase()}://${ip}:${first.port}`;
    for (const p of ports) {
      const prefix = `${name}_PORT_${p.port}_${proto(p).toUpperCase()}`;
      env[prefix] = `${proto(p).toLowerCase()}://${ip}:${p.port}`;
      env[`${prefix}_PROTO`] = proto(p).toLowerCase();
      env[`${prefix}_PORT`] = String(p.port);
      env[`${prefix}_ADDR`] = ip;
    }
  }
  return env;
}
