import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerEnv, expandVars, parseQuantity } from './env.ts';

describe('expandVars', () => {
  const vars: Record<string, string> = { A: 'a', B: 'b' };
  const cases: [string, string][] = [
    ['$(A)', 'a'],
    ['x$(A)y$(B)z', 'xaybz'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$x', '$x'],
    ['$(A', '$(A'],
    ['cost: 5$', 'cost: 5$'],
  ];
  for (const [input, want] of cases)
    it(`${input} → ${want}`, () =>
      assert.equal(
        expandVars(input, (n) => vars[n]),
        want,
      ));
});

describe('containerEnv', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { app: 'x' } },
    spec: { nodeName: 'n1' },
  };
  const base = {
    pod,
    podIP: '127.20.0.7',
    hostIP: '127.0.0.1',
    clusterName: 'm1',
    serviceEnv: { SVC_HOST: '127.100.0.1' },
  };

  it('layers image env, runtime vars, service vars, envFrom and env in kubelet order', () => {
    const got = containerEnv({
      ...base,
      container: {
        envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
        env: [
          { name: 'IMG', value: 'override' },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'URL', value: 'http://$(SVC_HOST):$(CM_port)' },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        ],
        resources: { limits: { memory: '128Mi' } },
      },
      configMaps: { cm: { port: '80' } },
      imageEnv: { IMG: 'image', ONLY_IMAGE: '1' },
      baseEnv: { PATH: '/bin' },
    });
    assert.ok('env' in got);
    assert.deepEqual(got.env, {
      PATH: '/bin',
      IMG: 'override',
      ONLY_IMAGE: '1',
      HOSTNAME: 'p',
      POD_IP: '127.20.0.7',
      CLUSTER_NAME: 'm1',
      SVC_HOST: '127.100.0.1',
      CM_port: '80',
      APP: 'x',
      NODE: 'n1',
      URL: 'http://127.100.0.1:80',
      MEM: '128',
    });
  });

  it('names what is missing instead of throwing', () => {
    const missing = (env: unknown[]) => containerEnv({ ...base, container: { env } });
    assert.deepEqual(missing([{ name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }]), {
      error: 'secret "s" not found',
    });
    assert.deepEqual(
      missing([{ name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } }]),
      {
        env: { HOSTNAME: 'p', POD_IP: '127.20.0.7', CLUSTER_NAME: 'm1', SVC_HOST: '127.100.0.1' },
      },
    );
    assert.deepEqual(missing([{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }]), {
      error: 'unsupported fieldPath "spec.bogus" in env F',
    });
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('x'), undefined);
  });
});
