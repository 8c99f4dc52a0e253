import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KUBERNETES_VERSION, versionInfo } from './version.ts';

describe('versionInfo', () => {
  it('reports a plain v1.32.x gitVersion the kubectl dispatcher maps to kubectl 1.32', () => {
    const info = versionInfo();
    assert.match(info.gitVersion, /^v1\.32\.\d+$/);
    assert.equal(info.gitVersion, KUBERNETES_VERSION);
    assert.equal(info.major, '1');
    assert.equal(info.minor, '32');
  });

  it('carries every version.Info field kubectl decodes', () => {
    const info = versionInfo();
    assert.deepEqual(Object.keys(info).sort(), [
      'buildDate',
      'compiler',
      'gitCommit',
      'gitTreeState',
      'gitVersion',
      'goVersion',
      'major',
      'minor',
      'platform',
    ]);
    assert.equal(info.compiler, 'gc');
    assert.equal(info.platform, 'linux/amd64');
    assert.equal(info.gitTreeState, 'clean');
    assert.match(info.gitCommit, /^[0-9a-f]{40}$/);
    assert.ok(!Number.isNaN(Date.parse(info.buildDate)));
  });

  it('hands out a copy callers may mutate', () => {
    const a = versionInfo();
    a.gitVersion = 'changed';
    assert.equal(versionInfo().gitVersion, KUBERNETES_VERSION);
  });
});
