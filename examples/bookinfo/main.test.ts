import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request, type Started, start } from './common/test-support.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface Running {
  readonly child: ChildProcess;
  readonly base: string;
  readonly stdout: () => string;
  stop(): Promise<number | null>;
}

/** Runs `<svc>/main.ts 0` as a real process with exactly `env` (plus PATH) and waits for it to listen. */
async function run(svc: string, env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [path.join(HERE, svc, 'main.ts'), '0'], {
    env: { PATH: process.env.PATH ?? '', POD_IP: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${svc} did not start: ${out}${err}`)), 10_000);
    child.stdout?.on('data', () => {
      const m = /Server listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`${svc} exited with ${code}: ${out}${err}`)));
  });
  return {
    child,
    base,
    stdout: () => out,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}

/** A forward proxy that answers absolute-form requests itself and records their target URLs. */
async function startProxy(): Promise<Started & { readonly targets: string[]; readonly users: unknown[] }> {
  const targets: string[] = [];
  const users: unknown[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    targets.push(url);
    users.push(req.headers['end-user']);
    const body = url.includes('/details/')
      ? { id: 0, publisher: 'ViaProxy', 'ISBN-10': 'x', pages: 1, type: 't', language: 'l' }
      : url.includes('/reviews/')
        ? { id: '0', podname: 'reviews-via-proxy', clustername: 'null', reviews: [] }
        : { id: 0, ratings: { Reviewer1: 2, Reviewer2: 1 } };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return { ...(await start(server)), targets, users };
}

describe('service processes (main.ts)', () => {
  it('details binds POD_IP, serves JSON, logs one line per request and exits 0 on SIGTERM', async () => {
    const svc = await run('details', {});
    const res = await request(`${svc.base}/details/0`);
    assert.equal(JSON.parse(res.body).author, 'William Shakespeare');
    await new Promise((r) => setTimeout(r, 50));
    assert.match(svc.stdout(), /"GET \/details\/0" 200/);
    assert.equal(await svc.stop(), 0);
  });

  it('productpage sends upstream calls through HTTP_PROXY when NODE_USE_ENV_PROXY=1', async () => {
    const proxy = await startProxy();
    const page = await run('productpage', {
      HTTP_PROXY: proxy.base,
      NODE_USE_ENV_PROXY: '1',
      SERVICES_DOMAIN: 'default.svc.cluster.local',
      CLUSTER_NAME: 'member1',
    });
    try {
      const res = await request(`${page.base}/productpage`);
      assert.equal(res.status, 200);
      assert.deepEqual(proxy.targets, [
        'http://details.default.svc.cluster.local:9080/details/0',
        'http://reviews.default.svc.cluster.local:9080/reviews/0',
      ]);
      assert.match(res.body, /<td>ViaProxy<\/td>/);
      assert.match(res.body, /Book Reviews/);
      assert.match(res.body, /on cluster member1/);
    } finally {
      await page.stop();
      await proxy.stop();
    }
  });

  it('reviews v3 calls ratings through the proxy using RATINGS_HOSTNAME and RATINGS_SERVICE_PORT', async () => {
    const proxy = await startProxy();
    const reviews = await run('reviews', {
      HTTP_PROXY: proxy.base,
      NODE_USE_ENV_PROXY: '1',
      ENABLE_RATINGS: 'true',
      STAR_COLOR: 'red',
      RATINGS_HOSTNAME: 'ratings.default',
      RATINGS_SERVICE_PORT: '9081',
      HOSTNAME: 'reviews-v3-abc',
    });
    try {
      const json = JSON.parse(
        (await request(`${reviews.base}/reviews/0`, { headers: { 'end-user': 'jason' } })).body,
      );
      assert.deepEqual(proxy.targets, ['http://ratings.default:9081/ratings/0']);
      assert.deepEqual(proxy.users, ['jason']);
      assert.equal(json.podname, 'reviews-v3-abc');
      assert.deepEqual(json.reviews[0].rating, { stars: 2, color: 'red' });
    } finally {
      await reviews.stop();
      await proxy.stop();
    }
  });

  it('productpage reaches loopback backends via *_HOSTNAME and *_SERVICE_PORT without a proxy', async () => {
    const details = await run('details', {});
    const ratings = await run('ratings', {});
    const reviews = await run('reviews', {
      ENABLE_RATINGS: 'true',
      RATINGS_HOSTNAME: '127.0.0.1',
      RATINGS_SERVICE_PORT: new URL(ratings.base).port,
      HOSTNAME: 'reviews-v2-xyz',
    });
    const page = await run('productpage', {
      DETAILS_HOSTNAME: '127.0.0.1',
      DETAILS_SERVICE_PORT: new URL(details.base).port,
      REVIEWS_HOSTNAME: '127.0.0.1',
      REVIEWS_SERVICE_PORT: new URL(reviews.base).port,
    });
    try {
      const html = (await request(`${page.base}/productpage`)).body;
      assert.match(html, /<td>PublisherA<\/td>/);
      assert.equal(html.split('glyphicon glyphicon-star"').length - 1, 9);
      assert.match(html, /text-black-500/);
      assert.match(html, /Reviews served by: reviews-v2-xyz/);
    } finally {
      await Promise.all([page.stop(), reviews.stop(), ratings.stop(), details.stop()]);
    }
  });

  it('prints --help from the env table and rejects a bad port', async () => {
    const child = spawn(process.execPath, [path.join(HERE, 'productpage', 'main.ts'), '--help'], {
      stdio: 'pipe',
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    for (const name of ['DETAILS_HOSTNAME', 'REVIEWS_SERVICE_PORT', 'SERVICES_DOMAIN', 'POD_IP']) {
      assert.match(out, new RegExp(name));
    }
    const bad = spawn(process.execPath, [path.join(HERE, 'ratings', 'main.ts'), 'http'], { stdio: 'ignore' });
    const [badCode] = await once(bad, 'exit');
    assert.equal(badCode, 2);
  });
});
