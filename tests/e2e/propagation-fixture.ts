/**
 * The running system of the propagation scenario tests: one `flotilla up` (three push members,
 * simulated runtime) and real kubectl against the kubeconfigs it writes, plus YAML builders for
 * the scenarios' Deployments and policies.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, type Result, run, until } from '../helpers/e2e.ts';

/** The members `up` starts, in order. */
export const MEMBERS = ['member1', 'member2', 'member3'] as const;
/** How long a scenario waits for the system to converge. */
export const WAIT = 60_000;

/** A one-replica Deployment `name` (label `app: name`) running `image`. */
export function deployment(name: string, image = `example.com/${name}:1`): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: ${image}}]
`;
}

/**
 * A PropagationPolicy `name` for the Deployment of the same name (or `selector`, a YAML flow
 * mapping), with `placement` (YAML, indented by the builder) and extra spec lines.
 */
export function policy(
  name: string,
  placement: string,
  extra: { spec?: string; selector?: string } = {},
): string {
  const indented = placement
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: ${name}}
spec:
  resourceSelectors: [${extra.selector ?? `{apiVersion: apps/v1, kind: Deployment, name: ${name}}`}]
  placement:
${indented}
${extra.spec ?? ''}`;
}

/** One running `flotilla up` and kubectl against it. */
export class System {
  home = '';
  stateDir = '';
  env: NodeJS.ProcessEnv = {};
  #files = 0;

  /** `flotilla up` with three push members on the simulated runtime; throws when it fails. */
  async up(): Promise<void> {
    this.home = await mkdtemp(join(tmpdir(), 'flotilla-prop-scenarios-'));
    this.stateDir = join(this.home, 'state');
    this.env = { ...process.env, HOME: this.home, FLOTILLA_HOME: join(this.home, 'unused') };
    const r = await this.flotilla(
      'up',
      '--members',
      MEMBERS.join(','),
      '--pull',
      '',
      '--runtime',
      'simulated',
      '--detach',
      '--port',
      '0',
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  }

  /** `flotilla down` and the state removed. */
  async down(): Promise<void> {
    if (!this.home) return;
    await this.flotilla('down');
    await rm(this.home, { recursive: true, force: true });
  }

  flotilla(...args: string[]): Promise<Result> {
    return run(process.execPath, [CLI, ...args, '--state-dir', this.stateDir], this.env, 200_000);
  }

  /** kubectl against `cluster` (`karmada-apiserver` or a member), whatever its exit code. */
  kubectlRaw(cluster: string, ...args: string[]): Promise<Result> {
    return run('kubectl', ['--kubeconfig', join(this.stateDir, `${cluster}.config`), ...args], this.env);
  }

  /** kubectl against `cluster`; asserts success and returns stdout. */
  async kubectl(cluster: string, ...args: string[]): Promise<string> {
    const r = await this.kubectlRaw(cluster, ...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} on ${cluster}: ${r.stderr}`);
    return r.stdout;
  }

  /** kubectl against the control plane. */
  plane(...args: string[]): Promise<string> {
    return this.kubectl('karmada-apiserver', ...args);
  }

  /** Writes `yaml` to a file of its own and returns the path. */
  async write(yaml: string): Promise<string> {
    const file = join(this.home, `manifest-${this.#files++}.yaml`);
    await writeFile(file, yaml);
    return file;
  }

  /** `kubectl apply -f` of `yaml` on `cluster` (default the control plane). */
  async apply(yaml: string, cluster = 'karmada-apiserver'): Promise<string> {
    return this.kubectl(cluster, 'apply', '-f', await this.write(yaml));
  }

  /** The members holding `kind/name` in `default`, in order. */
  async holders(kind: string, name: string): Promise<string[]> {
    const out: string[] = [];
    for (const m of MEMBERS) {
      const got = await this.kubectl(m, 'get', kind, name, '--ignore-not-found', '-o', 'name');
      if (got.trim()) out.push(m);
    }
    return out;
  }

  /** Waits until exactly `want` members hold `kind/name`. */
  placed(kind: string, name: string, want: readonly string[]): Promise<true> {
    return until(`${kind}/${name} in exactly [${want.join(', ')}]`, WAIT, async () => {
      const got = await this.holders(kind, name);
      return JSON.stringify(got) === JSON.stringify(want) ? true : undefined;
    });
  }

  /** `kubectl get kind name -o jsonpath=…` on `cluster`; empty when the object is absent. */
  async jsonpath(cluster: string, kind: string, name: string, path: string): Promise<string> {
    return this.kubectl(cluster, 'get', kind, name, '--ignore-not-found', '-o', `jsonpath=${path}`);
  }

  /** Waits until a jsonpath read on `cluster` returns `want`. */
  until(cluster: string, kind: string, name: string, path: string, want: string): Promise<true> {
    return until(`${cluster} ${kind}/${name} ${path} = ${want}`, WAIT, async () =>
      (await this.jsonpath(cluster, kind, name, path)) === want ? true : undefined,
    );
  }
}
