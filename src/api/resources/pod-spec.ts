/**
 * PodSpec defaulting and validation shared by Pod and every workload's pod template, following
 * kube-apiserver's `SetDefaults_PodSpec`/`SetDefaults_Container` and `ValidatePodSpec` for the
 * fields users and `kubectl describe` see.
 */
import type { StatusCause } from '../meta.ts';
import {
  duplicate,
  forbidden,
  invalid,
  isDNS1123Label,
  isValidPortName,
  isValidPortNum,
  notFound,
  notSupported,
  required,
  validateLabels,
} from './validation.ts';

// biome-ignore lint/suspicious/noExplicitAny: pod specs are open JSON
type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `Always` for an untagged or `:latest` image without digest, otherwise `IfNotPresent`. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon < 0 ? '' : image.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (isObj(p.httpGet)) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

function defaultContainer(c: unknown): void {
  if (!isObj(c)) return;
  if (typeof c.image === 'string' && c.imagePullPolicy === undefined)
    c.imagePullPolicy = defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) p.protocol ??= 'TCP';
  if (Array.isArray(c.env)) {
    for (const e of c.env) {
      const ref = isObj(e) && isObj(e.valueFrom) ? e.valueFrom.fieldRef : undefined;
      if (isObj(ref)) ref.apiVersion ??= 'v1';
    }
  }
  c.resources ??= {};
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

function defaultVolume(v: unknown): void {
  if (!isObj(v)) return;
  for (const src of ['configMap', 'secret', 'projected', 'downwardAPI'] as const) {
    if (isObj(v[src])) v[src].defaultMode ??= 420;
  }
  if (v.emptyDir === null) v.emptyDir = {};
}

/** Fills PodSpec defaults in place; `pod: true` adds what only bare Pods get (service account, service links). */
export function defaultPodSpec(spec: unknown, opts: { pod?: boolean } = {}): void {
  if (!isObj(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    if (Array.isArray(spec[list])) for (const c of spec[list]) defaultContainer(c);
  }
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) defaultVolume(v);
  if (opts.pod) {
    spec.serviceAccountName ??= 'default';
    spec.serviceAccount ??= spec.serviceAccountName;
    spec.enableServiceLinks ??= true;
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
  }
}

/** Fills defaults of a `PodTemplateSpec` in place. */
export function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  template.metadata ??= {};
  template.spec ??= {};
  defaultPodSpec(template.spec);
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;

function validateProbe(p: unknown, path: string): StatusCause[] {
  if (!isObj(p)) return [];
  const set = HANDLERS.filter((h) => p[h] !== undefined && p[h] !== null);
  if (set.length === 0) return [required(path, 'must specify a handler type')];
  return set.slice(1).map((h) => forbidden(`${path}.${h}`, 'may not specify more than 1 handler type'));
}

function validateContainer(c: Obj, path: string, volumes: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  if (!c.image || typeof c.image !== 'string' || c.image.trim() === '') out.push(required(`${path}.image`));
  const portNames = new Set<string>();
  (Array.isArray(c.ports) ? c.ports : []).forEach((p: Obj, i: number) => {
    const pp = `${path}.ports[${i}]`;
    if (!isObj(p)) return;
    if (p.containerPort === undefined || p.containerPort === 0) out.push(required(`${pp}.containerPort`));
    else
      for (const m of isValidPortNum(p.containerPort))
        out.push(invalid(`${pp}.containerPort`, p.containerPort, m));
    if (p.hostPort !== undefined && p.hostPort !== 0) {
      for (const m of isValidPortNum(p.hostPort)) out.push(invalid(`${pp}.hostPort`, p.hostPort, m));
    }
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) {
      out.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
    }
    if (typeof p.name === 'string' && p.name !== '') {
      for (const m of isValidPortName(p.name)) out.push(invalid(`${pp}.name`, p.name, m));
      if (portNames.has(p.name)) out.push(duplicate(`${pp}.name`, p.name));
      portNames.add(p.name);
    }
  });
  (Array.isArray(c.env) ? c.env : []).forEach((e: Obj, i: number) => {
    if (isObj(e) && !e.name) out.push(required(`${path}.env[${i}].name`));
  });
  (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m: Obj, i: number) => {
    if (!isObj(m)) return;
    const mp = `${path}.volumeMounts[${i}]`;
    if (!m.name) out.push(required(`${mp}.name`));
    else if (!volumes.has(m.name)) out.push(notFound(`${mp}.name`, m.name));
    if (!m.mountPath) out.push(required(`${mp}.mountPath`));
  });
  out.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`));
  out.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`));
  out.push(...validateProbe(c.startupProbe, `${path}.startupProbe`));
  return out;
}

/** Options for `validatePodSpec`. */
export interface PodSpecValidationOptions {
  /** Restart policies allowed (Deployments only `Always`, Jobs `OnFailure`/`Never`). */
  restartPolicies?: readonly string[];
}

const ALL_RESTART = ['Always', 'OnFailure', 'Never'] as const;

/** Validates a PodSpec at `path` (e.g. `spec.template.spec`): containers, volumes, ports, probes. */
export function validatePodSpec(
  spec: unknown,
  path: string,
  opts: PodSpecValidationOptions = {},
): StatusCause[] {
  if (!isObj(spec)) return [required(path)];
  const out: StatusCause[] = [];
  const volumes = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: Obj, i: number) => {
    const vp = `${path}.volumes[${i}].name`;
    if (!isObj(v)) return;
    if (!v.name) out.push(required(vp));
    else {
      for (const m of isDNS1123Label(v.name)) out.push(invalid(vp, v.name, m));
      if (volumes.has(v.name)) out.push(duplicate(vp, v.name));
      volumes.add(v.name);
    }
  });
  const names = new Set<string>();
  const lists = [
    ['initContainers', false],
    ['containers', true],
  ] as const;
  for (const [list, mustHave] of lists) {
    const cs: unknown = spec[list];
    if (mustHave && (!Array.isArray(cs) || cs.length === 0)) {
      out.push(required(`${path}.${list}`));
      continue;
    }
    if (!Array.isArray(cs)) continue;
    cs.forEach((c: unknown, i: number) => {
      const cp = `${path}.${list}[${i}]`;
      if (!isObj(c)) return;
      if (!c.name) out.push(required(`${cp}.name`));
      else {
        for (const m of isDNS1123Label(c.name)) out.push(invalid(`${cp}.name`, c.name, m));
        if (names.has(c.name)) out.push(duplicate(`${cp}.name`, c.name));
        names.add(c.name);
      }
      out.push(...validateContainer(c, cp, volumes));
    });
  }
  const allowed = opts.restartPolicies ?? ALL_RESTART;
  if (spec.restartPolicy !== undefined && !allowed.includes(spec.restartPolicy)) {
    out.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, allowed));
  }
  const dns = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
  if (spec.dnsPolicy !== undefined && !dns.includes(spec.dnsPolicy)) {
    out.push(notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, dns));
  }
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) {
    out.push(
      invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be >= 0'),
    );
  }
  return out;
}

/** Validates a PodTemplateSpec at `path` (labels and spec). */
export function validatePodTemplate(
  template: unknown,
  path: string,
  opts: PodSpecValidationOptions = {},
): StatusCause[] {
  if (!isObj(template)) return [required(path)];
  const labels = isObj(template.metadata) ? template.metadata.labels : undefined;
  return [
    ...validateLabels(labels, `${path}.metadata.labels`),
    ...validatePodSpec(template.spec, `${path}.spec`, opts),
  ];
}
