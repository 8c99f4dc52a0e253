import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bookinfoEnv, compileMatch, ImageCatalog, normalizeImage, parseCatalog } from './catalog.ts';

describe('ImageCatalog', () => {
  it('maps every registry spelling of a Bookinfo image to its service', () => {
    const cat = new ImageCatalog({ nodePath: '/node', repoRoot: '/repo' });
    for (const image of [
      'docker.io/istio/examples-bookinfo-reviews-v3:1.20.3',
      'registry.istio.io/release/examples-bookinfo-reviews-v3:1.20.3',
      'localhost:5000/examples-bookinfo-reviews-v3:latest',
      'examples-bookinfo-reviews-v3:1',
    ]) {
      const got = cat.resolve(image);
      assert.ok('program' in got, image);
      assert.deepEqual(got.program.command, ['/node', '/repo/examples/bookinfo/reviews/main.ts']);
      assert.deepEqual(got.program.args, ['$(CONTAINER_PORT)']);
      assert.equal(got.program.env.STAR_COLOR, 'red');
    }
    const ratings = cat.resolve('docker.io/istio/examples-bookinfo-ratings-v-faulty:1.20.3');
    assert.ok('program' in ratings);
    assert.equal(ratings.program.env.SERVICE_VERSION, 'v-faulty');
    assert.ok('error' in cat.resolve('docker.io/istio/examples-bookinfo-mongodb:1.20.3'));
  });

  const versions: [string, string, Record<string, string>][] = [
    ['reviews', 'v1', { ENABLE_RATINGS: 'false' }],
    ['reviews', 'v2', { ENABLE_RATINGS: 'true', STAR_COLOR: 'black' }],
    ['reviews', 'v3', { ENABLE_RATINGS: 'true', STAR_COLOR: 'red' }],
    ['ratings', 'v2', { SERVICE_VERSION: 'v2' }],
    ['productpage', 'v-flooding', { FLOOD_FACTOR: '100' }],
  ];
  for (const [svc, ver, want] of versions) {
    it(`${svc}-${ver} gets ${JSON.stringify(want)}`, () => {
      const env = bookinfoEnv(svc, ver);
      for (const [k, v] of Object.entries(want)) assert.equal(env[k], v);
    });
  }

  it('matches globs and /regexes/ against the reference as written and normalised', () => {
    assert.ok(compileMatch('nginx:*').test('nginx:1.25'));
    assert.ok(!compileMatch('nginx:*').test('docker.io/library/nginx:1.25'));
    assert.ok(compileMatch('/^docker\\.io\\/library\\/nginx:/').test(normalizeImage('nginx')));
    assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normalizeImage('istio/proxyv2:1.2'), 'docker.io/istio/proxyv2:1.2');
    assert.equal(normalizeImage('localhost:5000/a'), 'localhost:5000/a:latest');
    const cat = new ImageCatalog({
      entries: [{ match: 'docker.io/library/redis:*', command: ['redis-server'] }],
    });
    assert.ok('program' in cat.resolve('redis'));
  });

  it('rejects malformed catalog files with the field at fault', () => {
    assert.deepEqual(parseCatalog(''), []);
    assert.throws(() => parseCatalog('images: {}'), /images must be a list/);
    assert.throws(
      () => parseCatalog('images: [{match: "x"}]'),
      /images\[0\]\.command must be a non-empty list/,
    );
    assert.throws(() => parseCatalog('{"images": [{"match": "/(/", "command": ["a"]}]}'), SyntaxError);
    const entries = parseCatalog('images:\n- match: "a*"\n  command: [a]\n  env: {N: 1}\n');
    assert.deepEqual(entries, [{ match: 'a*', command: ['a'], env: { N: '1' } }]);
  });
});
