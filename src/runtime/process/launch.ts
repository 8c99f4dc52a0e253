/**
 * Decides how a container starts, without starting it: probes valid, environment resolvable, a
 * program found (the container's `command` if it exists locally, else the image catalog's entry),
 * and the argv, environment and working directory to spawn.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { containerEnv, expandArgs } from '../env.ts';
import type { WaitingReason } from '../types.ts';
import { findExecutable, normalizeImage } from './catalog.ts';
import type { ContainerHost } from './container.ts';
import { validateProbe } from './probes.ts';

// biome-ignore lint/suspicious/noExplicitAny: container specs are open JSON
type Obj = Record<string, any>;

/** The outcome of {@link planLaunch}. */
export type LaunchPlan =
  | { kind: 'run'; exe: string; args: string[]; env: Record<string, string>; cwd: string; imageID: string }
  | { kind: 'invalid'; reason: WaitingReason; message: string }
  | { kind: 'pull-failed'; message: string }
  | { kind: 'start-failed'; message: string };

/** `repo@sha256:<digest of the reference and argv>`, stable for one image and program. */
function imageID(image: string, argv: string[]): string {
  const ref = normalizeImage(image);
  const at = ref.indexOf('@');
  const tag = ref.lastIndexOf(':');
  const repo = at >= 0 ? ref.slice(0, at) : tag > ref.lastIndexOf('/') ? ref.slice(0, tag) : ref;
  return `${repo}@sha256:${createHash('sha256')
    .update(`${image}\0${argv.join('\0')}`)
    .digest('hex')}`;
}

/** Plans one start of container `spec` in the pod `host` describes; never throws for a bad spec. */
export function planLaunch(spec: Obj, host: ContainerHost): LaunchPlan {
  const image = String(spec.image ?? '');
  for (const kind of ['startup', 'liveness', 'readiness'] as const) {
    const err = validateProbe(kind, spec[`${kind}Probe`]);
    if (err !== undefined) return { kind: 'invalid', reason: 'CreateContainerError', message: err };
  }
  const lookup = host.catalog.resolve(image);
  const program = 'program' in lookup ? lookup.program : undefined;
  const sync = host.sync();
  const built = containerEnv({
    pod: host.pod(),
    container: spec,
    podIP: host.podIP,
    hostIP: sync.hostIP ?? '127.0.0.1',
    clusterName: sync.clusterName,
    serviceEnv: sync.serviceEnv,
    configMaps: sync.configMaps,
    secrets: sync.secrets,
    imageEnv: program?.env,
    baseEnv: host.baseEnv,
  });
  if ('error' in built)
    return { kind: 'invalid', reason: 'CreateContainerConfigError', message: built.error };
  const command: unknown[] = Array.isArray(spec.command) ? spec.command : [];
  const args: unknown[] | undefined = Array.isArray(spec.args) ? spec.args : undefined;
  if (command.length === 0 && program === undefined) {
    return { kind: 'pull-failed', message: 'error' in lookup ? lookup.error : '' };
  }
  const port = (Array.isArray(spec.ports) ? spec.ports : []).find(
    (p: Obj) => typeof p?.containerPort === 'number',
  );
  const argv =
    command.length > 0
      ? expandArgs([...command, ...(args ?? [])], built.env)
      : expandArgs([...(program?.command ?? []), ...(args ?? program?.args ?? [])], {
          CONTAINER_PORT: String(port?.containerPort ?? 9080),
          ...built.env,
        });
  const wd =
    typeof spec.workingDir === 'string' && fs.existsSync(spec.workingDir) ? spec.workingDir : undefined;
  const cwd = wd ?? program?.workingDir ?? host.podDir;
  const exe = findExecutable(argv[0] ?? '', built.env.PATH, cwd);
  if (exe === undefined) {
    return { kind: 'start-failed', message: `exec: "${argv[0] ?? ''}": executable file not found in $PATH` };
  }
  return { kind: 'run', exe, args: argv.slice(1), env: built.env, cwd, imageID: imageID(image, argv) };
}
