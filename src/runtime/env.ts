/**
 * A container's environment as kubelet builds it (`makeEnvironmentVariables`): service variables,
 * then `envFrom`, then `env` with `valueFrom` resolved and `$(VAR)` expanded, over the image's
 * environment and the runtime's own `HOSTNAME`, `POD_IP` and `CLUSTER_NAME`.
 */
import os from 'node:os';
import type { KubeObject } from '../api/meta.ts';

// biome-ignore lint/suspicious/noExplicitAny: container specs are open JSON
type Obj = Record<string, any>;

/**
 * Expands `$(VAR)` references the way Kubernetes does: a defined name is replaced, an undefined
 * one is left as written, and `$$` is an escaped `$`.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += lookup(name) ?? `$(${name})`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

const UNITS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Parses a Kubernetes quantity (`500m`, `128Mi`, `2`) into a number; undefined when malformed. */
export function parseQuantity(q: unknown): number | undefined {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q ?? ''));
  const unit = m === null ? undefined : UNITS[m[2] ?? ''];
  return m === null || unit === undefined ? undefined : Number(m[1]) * unit;
}

/** Everything {@link containerEnv} reads. */
export interface EnvInput {
  readonly pod: KubeObject;
  readonly container: Obj;
  readonly podIP: string;
  readonly hostIP: string;
  readonly clusterName: string;
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly configMaps?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
  /** The image's own environment (from the catalog); container env overrides it. */
  readonly imageEnv?: Readonly<Record<string, string>> | undefined;
  /** What every process needs from the host (`PATH`, …); lowest precedence. */
  readonly baseEnv?: Readonly<Record<string, string>> | undefined;
}

/** The environment, or the reason kubelet would give for `CreateContainerConfigError`. */
export type EnvResult = { env: Record<string, string> } | { error: string };

function fieldRef(input: EnvInput, path: string): string | undefined {
  const meta = input.pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return meta[sub[1] as 'labels' | 'annotations']?.[sub[2] ?? ''] ?? '';
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
    case 'metadata.annotations': {
      const map = (path === 'metadata.labels' ? meta.labels : meta.annotations) ?? {};
      return Object.keys(map)
        .sort()
        .map((k) => `${k}="${map[k]}"`)
        .join('\n');
    }
    case 'spec.nodeName':
      return String(input.pod.spec?.nodeName ?? '');
    case 'spec.serviceAccountName':
      return String(input.pod.spec?.serviceAccountName ?? '');
    case 'status.podIP':
    case 'status.podIPs':
      return input.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return input.hostIP;
    default:
      return undefined;
  }
}

function resourceRef(input: EnvInput, ref: Obj): string | undefined {
  const resource = String(ref.resource ?? '');
  const [kind, name] = resource.split('.') as [string, string | undefined];
  const spec = input.container.resources ?? {};
  const own = parseQuantity(spec[kind]?.[name ?? '']) ?? parseQuantity(spec.limits?.[name ?? '']);
  const node = name === 'cpu' ? os.cpus().length : name === 'memory' ? os.totalmem() : undefined;
  const value = own ?? node;
  const divisor = parseQuantity(ref.divisor ?? '1') || 1;
  return value === undefined ? undefined : String(Math.ceil(value / divisor));
}

function keyRef(input: EnvInput, kind: 'configmap' | 'secret', ref: Obj): { value?: string; error?: string } {
  const store = kind === 'configmap' ? input.configMaps : input.secrets;
  const data = store?.[ref.name];
  const value = data?.[ref.key];
  if (value !== undefined) return { value };
  if (ref.optional === true) return {};
  if (data === undefined) return { error: `${kind} "${ref.name}" not found` };
  return {
    error: `couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${input.pod.metadata.namespace}/${ref.name}`,
  };
}

/** Builds a container's environment; never throws, a missing reference yields `{error}`. */
export function containerEnv(input: EnvInput): EnvResult {
  const own: Record<string, string> = { ...input.serviceEnv };
  for (const from of Array.isArray(input.container.envFrom) ? input.container.envFrom : []) {
    const kind = from?.configMapRef ? 'configmap' : from?.secretRef ? 'secret' : undefined;
    if (kind === undefined) continue;
    const ref = from.configMapRef ?? from.secretRef;
    const data = (kind === 'configmap' ? input.configMaps : input.secrets)?.[ref.name];
    if (data === undefined) {
      if (ref.optional === true) continue;
      return { error: `${kind} "${ref.name}" not found` };
    }
    for (const [k, v] of Object.entries(data)) own[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of Array.isArray(input.container.env) ? input.container.env : []) {
    if (typeof e?.name !== 'string') continue;
    if (e.valueFrom === undefined || e.valueFrom === null) {
      own[e.name] = expandVars(String(e.value ?? ''), (n) => own[n]);
      continue;
    }
    const vf = e.valueFrom;
    let value: string | undefined;
    if (vf.fieldRef) {
      value = fieldRef(input, String(vf.fieldRef.fieldPath));
      if (value === undefined)
        return { error: `unsupported fieldPath "${vf.fieldRef.fieldPath}" in env ${e.name}` };
    } else if (vf.resourceFieldRef) {
      value = resourceRef(input, vf.resourceFieldRef);
      if (value === undefined)
        return { error: `unsupported resource "${vf.resourceFieldRef.resource}" in env ${e.name}` };
    } else if (vf.configMapKeyRef || vf.secretKeyRef) {
      const got = vf.configMapKeyRef
        ? keyRef(input, 'configmap', vf.configMapKeyRef)
        : keyRef(input, 'secret', vf.secretKeyRef);
      if (got.error !== undefined) return { error: got.error };
      if (got.value === undefined) continue;
      value = got.value;
    }
    if (value !== undefined) own[e.name] = value;
  }
  const env: Record<string, string> = {
    ...input.baseEnv,
    ...input.imageEnv,
    HOSTNAME: input.pod.metadata.name ?? '',
    POD_IP: input.podIP,
    CLUSTER_NAME: input.clusterName,
    ...own,
  };
  return { env };
}

/** Expands `$(VAR)` in a container's `command` or `args` against its final environment. */
export function expandArgs(args: readonly unknown[], env: Readonly<Record<string, string>>): string[] {
  return args.map((a) => expandVars(String(a), (n) => env[n]));
}
