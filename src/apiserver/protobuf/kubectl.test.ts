/**
 * The decoder against real kubectl: a recording proxy in front of a real API server captures the
 * protobuf bodies kubectl's generator commands POST, decodes them, forwards them as JSON, and the
 * test compares each decoded object with what `kubectl … --dry-run=client -o json` prints for the
 * same command — kubectl's own JSON rendering of the object it sends.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../../tests/helpers/apiserver.ts';
import { ApiError } from '../../api/errors.ts';
import { decodeKubeProtobuf, PROTOBUF_CONTENT_TYPE } from './index.ts';

interface Captured {
  method: string;
  path: string;
  contentType: string;
  decoded: unknown;
}

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Drops what JSON prints for Go zero values that protobuf cannot carry: `creationTimestamp: null`. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'creationTimestamp' && v === null) continue;
    out[k] = normalize(v);
  }
  return out;
}

async function startProxy(upstream: string, captured: Captured[]): Promise<Server> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Buffer | string | undefined = chunks.length ? Buffer.concat(chunks) : undefined;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length' && k !== 'connection')
        headers[k] = v;
    }
    const contentType = req.headers['content-type'] ?? '';
    if (body && req.method !== 'GET') {
      const entry: Captured = {
        method: req.method ?? '',
        path: req.url ?? '',
        contentType,
        decoded: undefined,
      };
      captured.push(entry);
      if (contentType.startsWith(PROTOBUF_CONTENT_TYPE)) {
        try {
          entry.decoded = decodeKubeProtobuf(body);
        } catch (err) {
          entry.decoded = err;
          const status = err instanceof ApiError ? err.toStatus() : { message: String(err) };
          res.writeHead(err instanceof ApiError ? err.code : 500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(status));
          return;
        }
        body = JSON.stringify(entry.decoded);
        headers['content-type'] = 'application/json';
      }
    }
    const init: RequestInit = { method: req.method ?? 'GET', headers };
    if (body !== undefined) init.body = typeof body === 'string' ? body : new Uint8Array(body);
    const upstreamRes = await fetch(`${upstream}${req.url}`, init);
    const out = Buffer.from(await upstreamRes.arrayBuffer());
    const outHeaders: Record<string, string> = {};
    upstreamRes.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'content-encoding', 'connection'].includes(k))
        outHeaders[k] = v;
    });
    res.writeHead(upstreamRes.status, { ...outHeaders, 'content-length': String(out.length) });
    res.end(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * kubectl invocations that send protobuf (dry-run flags are inserted before any `--`). kubectl
 * 1.32 sends `expose` and `run` bodies as JSON, and Flotilla does not serve RBAC, so those are
 * covered by the unit tests instead. `serverRejects` marks commands Flotilla's validation refuses today although
 * the body decodes correctly.
 */
const CASES: { name: string; args: string[]; serverRejects?: string }[] = [
  { name: 'namespace', args: ['create', 'namespace', 'pb-ns'] },
  { name: 'configmap', args: ['create', 'configmap', 'pb-cm', '--from-literal=a=b', '--from-literal=c=d e'] },
  {
    name: 'secret',
    args: [
      'create',
      'secret',
      'generic',
      'pb-secret',
      '--from-literal=user=admin',
      '--from-literal=pw=s3cr3t!',
    ],
  },
  { name: 'deployment', args: ['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '--port=80'] },
  {
    name: 'deployment with 0 replicas',
    args: ['create', 'deployment', 'idle', '--image=nginx', '--replicas=0'],
  },
  {
    name: 'service',
    args: ['create', 'service', 'clusterip', 'pb-svc', '--tcp=80:8080', '--tcp=443:https'],
    serverRejects: 'Service port names like "80-8080" are valid DNS labels but fail the IANA name check',
  },
  { name: 'job', args: ['create', 'job', 'pb-job', '--image=busybox', '--', 'echo', 'hi'] },
  {
    name: 'cronjob',
    args: ['create', 'cronjob', 'pb-cron', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'],
    serverRejects: 'batch/v1 CronJob is not served',
  },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'pb-sa'] },
];

describe('decodeKubeProtobuf against real kubectl', {
  skip: hasKubectl() ? false : 'kubectl is not on PATH',
}, () => {
  let ts: TestServer;
  let proxy: Server;
  const captured: Captured[] = [];
  let kubeconfig = '';

  const kubectl = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', join(ts.dir, 'cache'), ...args],
        { env: { ...process.env, HOME: ts.dir }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      ).stdin?.end();
    });

  before(async () => {
    ts = await startTestServer();
    proxy = await startProxy(ts.url, captured);
    const { port } = proxy.address() as AddressInfo;
    kubeconfig = join(ts.dir, 'proxy-kubeconfig');
    const config = (await import('node:fs/promises')).readFile(ts.kubeconfig, 'utf8');
    await writeFile(kubeconfig, (await config).replace(ts.url, `http://127.0.0.1:${port}`));
  });

  after(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await ts.close();
  });

  for (const c of CASES) {
    test(`kubectl ${c.args.join(' ')}`, async () => {
      const dash = c.args.indexOf('--');
      const split = dash < 0 ? c.args.length : dash;
      const dry = await kubectl([
        ...c.args.slice(0, split),
        '--dry-run=client',
        '-o',
        'json',
        ...c.args.slice(split),
      ]);
      assert.equal(dry.code, 0, dry.stderr);
      const expected = normalize(JSON.parse(dry.stdout));
      const before = captured.length;
      const real = await kubectl(c.args);
      if (!c.serverRejects) assert.equal(real.code, 0, `kubectl failed: ${real.stderr}`);
      const posts = captured.slice(before).filter((e) => e.method === 'POST');
      assert.equal(posts.length, 1, `expected one POST, saw ${JSON.stringify(captured.slice(before))}`);
      const post = posts[0]!;
      assert.ok(post.contentType.startsWith(PROTOBUF_CONTENT_TYPE), `kubectl sent ${post.contentType}`);
      assert.deepEqual(post.decoded, expected);
    });
  }
});
