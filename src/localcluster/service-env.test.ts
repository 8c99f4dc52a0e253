import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/meta.ts';
import { hostsFileText } from './cluster-dns.ts';
import { serviceEnv } from './service-env.ts';

const svc = (name: string, clusterIP: string, ports: object[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { clusterIP, ports },
});

describe('serviceEnv', () => {
  it('names every port as kubelet does', () => {
    const env = serviceEnv([
      svc('redis-primary', '10.0.0.11', [
        { name: 'tcp', port: 6379, protocol: 'TCP' },
        { name: 'metrics', port: 9121, protocol: 'UDP' },
      ]),
    ]);
    assert.deepEqual(env, {
      REDIS_PRIMARY_SERVICE_HOST: '10.0.0.11',
      REDIS_PRIMARY_SERVICE_PORT: '6379',
      REDIS_PRIMARY_SERVICE_PORT_TCP: '6379',
      REDIS_PRIMARY_SERVICE_PORT_METRICS: '9121',
      REDIS_PRIMARY_PORT: 'tcp://10.0.0.11:6379',
      REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.0.0.11:6379',
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.0.0.11',
      REDIS_PRIMARY_PORT_9121_UDP: 'udp://10.0.0.11:9121',
      REDIS_PRIMARY_PORT_9121_UDP_PROTO: 'udp',
      REDIS_PRIMARY_PORT_9121_UDP_PORT: '9121',
      REDIS_PRIMARY_PORT_9121_UDP_ADDR: '10.0.0.11',
    });
  });

  it('leaves out headless Services and those without ports', () => {
    assert.deepEqual(serviceEnv([svc('db', 'None', [{ port: 5432 }]), svc('x', '10.0.0.2', [])]), {});
  });

  it('writes every name of a Service into the hosts file', () => {
    const text = hostsFileText([svc('details', '127.100.0.5', [{ port: 9080 }]), svc('db', 'None', [])]);
    assert.match(
      text,
      /^127\.100\.0\.5 details\.shop\.svc\.cluster\.local details\.shop\.svc details\.shop$/m,
    );
    assert.doesNotMatch(text, /db/);
  });
});
