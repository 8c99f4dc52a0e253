/**
 * The `flotilla` CLI driven as a user drives it: real processes, real kubectl, a temporary state
 * directory. Covers flag errors, `up --detach` / `down`, persistence across restarts, foreground
 * `up` with SIGTERM, and a taken port.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

const CLI = resolve(import.meta.dirname, '../../src/cmd/flotilla.ts');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeout = 120_000): Promise<Result> {
  return new Promise((done) => {
    execFile(file, args, { env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

/** True when the process is gone or a zombie waiting for its (adoptive) parent to reap it. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return / Z /.test(stat.slice(stat.lastIndexOf(')')));
}

describe('flotilla CLI (e2e)', () => {
  let home: string;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  const flotilla = (...args: string[]) => run(process.execPath, [CLI, ...args], env);
  const kubectl = (...args: string[]) =>
    run('kubectl', ['--kubeconfig', join(stateDir, 'karmada-apiserver.config'), ...args], env, 60_000);

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'flotilla-e2e-'));
    stateDir = join(home, 'state');
    // A fresh HOME keeps kubectl's discovery cache out of the user's.
    env = { ...process.env, HOME: home, FLOTILLA_HOME: join(home, 'unused-home') };
  });
  after(async () => {
    await flotilla('down', '--state-dir', stateDir);
    await rm(home, { recursive: true, force: true });
  });

  const badFlags: Array<[string[], RegExp]> = [
    [['up', '--port', 'abc'], /^flotilla: --port must be a number between 0 and 65535, got "abc"$/],
    [['up', '--bogus'], /^flotilla: unknown option '--bogus'$/],
    [['up', '--store', 'postgres'], /^flotilla: --store must be .*got "postgres"$/],
    [['up', '--runtime', 'docker'], /^flotilla: --runtime must be process or simulated, got "docker"$/],
    [['up', '--members', 'Member_1'], /^flotilla: --members takes cluster names/],
    [['apiserver', '--port', '-1'], /^flotilla: --port must be a number/],
    [['frobnicate'], /^flotilla: unknown command 'frobnicate'$/],
  ];
  for (const [args, expected] of badFlags) {
    it(`rejects \`flotilla ${args.join(' ')}\` with one line and exit 2`, async () => {
      const result = await flotilla(...args);
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', expected);
      assert.equal(result.stdout, '');
    });
  }

  it('prints its version', async () => {
    const result = await flotilla('version');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^flotilla \d+\.\d+\.\d+/);
  });

  it('says so when nothing runs', async () => {
    const result = await flotilla('down', '--state-dir', stateDir);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /nothing is running/);
  });

  it('up --detach returns once ready and kubectl works with the written kubeconfig', async () => {
    const result = await flotilla('up', '--members', '', '--detach', '--state-dir', stateDir, '--port', '0');
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const lines = result.stdout.trimEnd().split('\n');
    assert.ok(
      lines.some((l) => /^API server\s+https:\/\/127\.0\.0\.1:\d+$/.test(l)),
      result.stdout,
    );
    assert.ok(
      lines.some((l) => l.includes(join(stateDir, 'karmada-apiserver.config'))),
      result.stdout,
    );
    assert.ok(
      lines.some((l) => l.includes('ready')),
      result.stdout,
    );

    for (const file of ['karmada-apiserver.config', 'tokens.csv', 'pki/ca.key', 'pki/apiserver.key']) {
      assert.equal((await stat(join(stateDir, file))).mode & 0o777, 0o600, file);
    }
    const pid = Number(await readFile(join(stateDir, 'flotilla.pid'), 'utf8'));
    assert.ok(pid > 0 && pid !== process.pid);

    const ns = await kubectl('get', 'ns', '-o', 'name');
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /^namespace\/default$/m);
    const manifest = join(home, 'keep-me.yaml');
    await writeFile(
      manifest,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep-me\ndata:\n  greeting: hello\n',
    );
    const created = await kubectl('create', '-f', manifest);
    assert.equal(created.code, 0, created.stderr);
  });

  it('refuses a second up on the same state dir with one line and exit 1', async () => {
    const result = await flotilla('up', '--members', '', '--state-dir', stateDir, '--port', '0');
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr.trimEnd(), /^flotilla: flotilla is already running from .* \(pid \d+\)/);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1);
  });

  it('down stops it and removes the pid file', async () => {
    const pid = Number(await readFile(join(stateDir, 'flotilla.pid'), 'utf8'));
    const result = await flotilla('down', '--state-dir', stateDir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`stopped flotilla \\(pid ${pid}, API server https://`));
    assert.equal(existsSync(join(stateDir, 'flotilla.pid')), false);
    assert.ok(gone(pid), `pid ${pid} still runs`);
    const ns = await kubectl('get', 'ns', '--request-timeout=3s');
    assert.notEqual(ns.code, 0);
  });

  it('a restart with the same state dir keeps objects, CA and token', async () => {
    const before = await readFile(join(stateDir, 'karmada-apiserver.config'), 'utf8');
    const result = await flotilla('up', '--detach', '--state-dir', stateDir, '--port', '0');
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^member1 +https:\/\/127\.0\.0\.1:\d+ +kubeconfig .*member1\.config$/m);
    const after = await readFile(join(stateDir, 'karmada-apiserver.config'), 'utf8');
    const pick = (text: string, key: string) => new RegExp(`${key}: (\\S+)`).exec(text)?.[1];
    assert.equal(pick(after, 'certificate-authority-data'), pick(before, 'certificate-authority-data'));
    assert.equal(pick(after, 'token'), pick(before, 'token'));

    const cm = await kubectl('get', 'configmap', 'keep-me', '-o', 'jsonpath={.data.greeting}');
    assert.equal(cm.code, 0, cm.stderr);
    assert.equal(cm.stdout, 'hello');
    assert.equal((await flotilla('down', '--state-dir', stateDir)).code, 0);
  });

  it('foreground up shuts down cleanly on SIGTERM', async () => {
    const dir = join(home, 'foreground');
    const child = spawn(process.execPath, [CLI, 'up', '--members', '', '--store', 'memory', '--port', '0'], {
      env: { ...env, FLOTILLA_HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`no ready line: ${stdout}${stderr}`)), 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        if (/ready/.test(stdout)) {
          clearTimeout(timer);
          ready();
        }
      });
      child.on('exit', () => fail(new Error(`exited before ready: ${stdout}${stderr}`)));
    });
    assert.equal(Number(await readFile(join(dir, 'flotilla.pid'), 'utf8')), child.pid);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(existsSync(join(dir, 'flotilla.pid')), false);
  });

  it('reports a taken port in one line with exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    try {
      const port = String((blocker.address() as AddressInfo).port);
      const result = await flotilla(
        'up',
        '--members',
        '',
        '--state-dir',
        join(home, 'taken'),
        '--port',
        port,
      );
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(
        result.stderr.trimEnd(),
        new RegExp(`^flotilla: port ${port} on 127\\.0\\.0\\.1 is in use`),
      );
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    } finally {
      blocker.close();
    }
  });
});
