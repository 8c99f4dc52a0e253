/**
 * Test harness: a real API server on loopback over a real storage backend, plus a real `kubectl`
 * bound to it through a kubeconfig and its own cache directory.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServerOptions, RunningApiServer } from '../../src/apiserver/types.ts';
import { openStorage } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/types.ts';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestServer {
  url: string;
  dir: string;
  kubeconfig: string;
  storage: Storage;
  server: RunningApiServer;
  /** Runs real kubectl against the server. */
  kubectl(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Plain HTTP request to the server. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Starts a server on `storageUrl` (default `memory://`) over plain HTTP without authentication. */
export async function startTestServer(
  options: { storageUrl?: string; dir?: string; keepStorage?: boolean } & Partial<ApiServerOptions> = {},
): Promise<TestServer> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'flotilla-test-')));
  const storage = options.storage ?? (await openStorage(options.storageUrl ?? 'memory://'));
  const { storageUrl: _s, dir: _d, keepStorage, ...rest } = options;
  const server = await startApiServer({ port: 0, ...rest, storage });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: test',
      '  cluster:',
      `    server: ${server.url}`,
      'contexts:',
      '- name: test',
      '  context:',
      '    cluster: test',
      '    user: test',
      '    namespace: default',
      'current-context: test',
      'users:',
      '- name: test',
      '  user: {}',
      '',
    ].join('\n'),
  );
  const kubectl = (
    args: string[],
    opts: { input?: string; env?: Record<string, string> } = {},
  ): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
        { env: { ...process.env, HOME: dir, ...opts.env }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${server.url}${path}`, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    url: server.url,
    dir,
    kubeconfig,
    storage,
    server,
    kubectl,
    request,
    async close() {
      await server.close();
      if (!keepStorage) await storage.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
