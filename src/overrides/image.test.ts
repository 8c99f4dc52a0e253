import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatImage, overrideImage, parseImage } from './image.ts';

describe('parseImage', () => {
  const cases: [string, { registry: string; repository: string; tag: string; digest: string }][] = [
    ['nginx', { registry: '', repository: 'nginx', tag: '', digest: '' }],
    ['nginx:1.25', { registry: '', repository: 'nginx', tag: '1.25', digest: '' }],
    ['library/nginx:1.25', { registry: '', repository: 'library/nginx', tag: '1.25', digest: '' }],
    [
      'docker.io/istio/examples-bookinfo-details-v1:1.20.2',
      { registry: 'docker.io', repository: 'istio/examples-bookinfo-details-v1', tag: '1.20.2', digest: '' },
    ],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: '', digest: '' }],
    ['localhost/app:v1', { registry: 'localhost', repository: 'app', tag: 'v1', digest: '' }],
    [
      `fictional.registry.example/imagename@sha256:${'a'.repeat(64)}`,
      {
        registry: 'fictional.registry.example',
        repository: 'imagename',
        tag: '',
        digest: `sha256:${'a'.repeat(64)}`,
      },
    ],
    [`app:v1@sha256:${'b'.repeat(64)}`, { registry: '', repository: 'app', tag: 'v1', digest: '' }],
  ];
  for (const [image, want] of cases) {
    it(image, () => {
      assert.deepEqual(parseImage(image), want);
      if (!image.includes('@') || !want.tag) assert.equal(formatImage(want), image);
    });
  }
  for (const bad of ['', 'UPPER/case', 'app:bad tag', 'app@sha256:xyz']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      assert.throws(() => parseImage(bad), { name: 'OverrideError' }));
  }
});

describe('overrideImage', () => {
  const digest = `sha256:${'c'.repeat(64)}`;
  const cases: [string, Parameters<typeof overrideImage>[1], string][] = [
    [
      'nginx:1.0',
      { component: 'Registry', operator: 'add', value: 'registry.k8s.io' },
      'registry.k8s.io/nginx:1.0',
    ],
    ['a.io/nginx:1.0', { component: 'Registry', operator: 'add', value: '-cn' }, 'a.io-cn/nginx:1.0'],
    ['a.io/nginx:1.0', { component: 'Registry', operator: 'replace', value: 'b.io' }, 'b.io/nginx:1.0'],
    ['a.io/nginx:1.0', { component: 'Registry', operator: 'remove' }, 'nginx:1.0'],
    ['a.io/nginx:1.0', { component: 'Repository', operator: 'add', value: '-debug' }, 'a.io/nginx-debug:1.0'],
    [
      'a.io/nginx:1.0',
      { component: 'Repository', operator: 'replace', value: 'team/web' },
      'a.io/team/web:1.0',
    ],
    ['a.io/nginx:1.0', { component: 'Tag', operator: 'add', value: '-alpine' }, 'a.io/nginx:1.0-alpine'],
    ['a.io/nginx:1.0', { component: 'Tag', operator: 'replace', value: '2.0' }, 'a.io/nginx:2.0'],
    ['a.io/nginx:1.0', { component: 'Tag', operator: 'replace', value: digest }, `a.io/nginx@${digest}`],
    [`nginx@${digest}`, { component: 'Tag', operator: 'replace', value: 'v3' }, 'nginx:v3'],
    ['a.io/nginx:1.0', { component: 'Tag', operator: 'remove' }, 'a.io/nginx'],
    [`nginx@${digest}`, { component: 'Tag', operator: 'remove' }, 'nginx'],
    ['nginx', { component: 'Tag', operator: 'add', value: 'v1' }, 'nginx:v1'],
    ['nginx:1.0', { component: 'Tag', operator: 'replace', value: 'not a tag' }, 'nginx:1.0'],
  ];
  for (const [image, o, want] of cases) {
    it(`${image} ${o.component} ${o.operator} ${o.value ?? ''}`, () =>
      assert.equal(overrideImage(image, o), want));
  }
});
