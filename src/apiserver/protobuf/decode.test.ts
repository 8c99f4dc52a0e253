import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isInvalid, reasonOf } from '../../api/errors.ts';
import { goDuration } from './decode.ts';
import { decodeKubeProtobuf } from './index.ts';
import { MESSAGES, SPECIAL_MESSAGES, UNCOVERED_MESSAGES } from './schema.ts';

// A test-only encoder: each helper returns the bytes of one field.
type Bytes = number[];
function varint(n: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}
const num = (field: number, n: number | bigint): Bytes => [...varint(field * 8), ...varint(n)];
const bytes = (field: number, data: Bytes | Uint8Array): Bytes => [
  ...varint(field * 8 + 2),
  ...varint(data.length),
  ...data,
];
const str = (field: number, s: string): Bytes => bytes(field, [...Buffer.from(s, 'utf8')]);
const msg = (field: number, ...parts: Bytes[]): Bytes => bytes(field, parts.flat());
const entry = (field: number, key: string, value: Bytes): Bytes => msg(field, str(1, key), value);
const dbl = (field: number, x: number): Bytes => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...varint(field * 8 + 1), ...b];
};

/** A whole body: magic, then runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
function body(apiVersion: string, kind: string, ...raw: Bytes[]): Uint8Array {
  return Uint8Array.from([
    0x6b,
    0x38,
    0x73,
    0x00,
    ...msg(1, str(1, apiVersion), str(2, kind)),
    ...bytes(2, raw.flat()),
  ]);
}

function rejects(input: Uint8Array, reason: string, pattern?: RegExp): void {
  let caught: unknown;
  try {
    decodeKubeProtobuf(input);
  } catch (err) {
    caught = err;
  }
  assert.equal(reasonOf(caught), reason, `got ${String(caught)}`);
  if (pattern) assert.match((caught as Error).message, pattern);
}

describe('decodeKubeProtobuf', () => {
  test('Secret: bytes map values become base64, zero scalars are dropped, pointer zeros kept', () => {
    const out = decodeKubeProtobuf(
      body(
        'v1',
        'Secret',
        msg(1, str(1, 's'), str(2, ''), num(7, 0), msg(8), entry(11, 'app', str(2, 'x'))),
        entry(2, 'pw', bytes(2, [0, 0xff, 0x41])),
        str(3, 'Opaque'),
        num(5, 0),
      ),
    );
    assert.deepEqual(out, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', labels: { app: 'x' } },
      data: { pw: Buffer.from([0, 0xff, 0x41]).toString('base64') },
      type: 'Opaque',
      immutable: false,
    });
  });

  test('Service: IntOrString as number or string, required zero port kept, unknown fields skipped', () => {
    const out = decodeKubeProtobuf(
      body(
        'v1',
        'Service',
        msg(1, str(1, 'web')),
        msg(
          2,
          msg(1, str(1, 'http'), num(3, 80), msg(4, num(1, 1), str(3, 'http'))),
          msg(1, num(3, 0), msg(4, num(1, 0), num(2, 8080))),
          entry(2, 'app', str(2, 'web')),
          num(999, 7), // a field from a newer client
          dbl(998, 1.5),
        ),
        msg(3, msg(1)),
      ),
    );
    assert.deepEqual(out.spec, {
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { port: 0, targetPort: 8080 },
      ],
      selector: { app: 'web' },
    });
    assert.deepEqual(out.status, { loadBalancer: {} });
  });

  test('Pod: inline embedded structs, negative and 64-bit integers, quantities, times, managedFields', () => {
    const out = decodeKubeProtobuf(
      body(
        'v1',
        'Pod',
        msg(
          1,
          str(1, 'p'),
          msg(8, num(1, 1_700_000_000)),
          msg(
            17,
            str(1, 'kubectl'),
            msg(4, num(1, 0), num(2, 5)),
            msg(7, bytes(1, [...Buffer.from('{"f:data":{}}')])),
          ),
        ),
        msg(
          2,
          msg(1, str(1, 'cfg'), msg(2, msg(19, msg(1, str(1, 'my-cm')), num(3, 420)))),
          msg(
            2,
            str(1, 'c'),
            msg(8, entry(1, 'cpu', msg(2, str(1, '500m')))),
            msg(10, msg(1, msg(2, str(1, '/healthz'), msg(2, num(2, 8080)))), num(2, 0), num(7, -1)),
            msg(7, str(1, 'E'), msg(3, msg(3, msg(1, str(1, 'cm')), str(2, 'k')))),
          ),
          num(4, 2n ** 40n),
          num(25, -5),
          msg(14, num(4, 1), num(4, 2), bytes(4, [...varint(3), ...varint(-4)])),
        ),
      ),
    );
    assert.equal(out.metadata.creationTimestamp, '2023-11-14T22:13:20Z');
    assert.deepEqual(out.metadata.managedFields, [
      { manager: 'kubectl', time: '1970-01-01T00:00:00Z', fieldsV1: { 'f:data': {} } },
    ]);
    assert.deepEqual(out.spec.volumes, [{ name: 'cfg', configMap: { name: 'my-cm', defaultMode: 420 } }]);
    assert.deepEqual(out.spec.containers[0], {
      name: 'c',
      resources: { limits: { cpu: '500m' } },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, terminationGracePeriodSeconds: -1 },
      env: [{ name: 'E', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }],
    });
    assert.equal(out.spec.terminationGracePeriodSeconds, 2 ** 40);
    assert.equal(out.spec.priority, -5);
    assert.deepEqual(out.spec.securityContext, { supplementalGroups: [1, 2, 3, -4] });
  });

  test('Deployment with replicas 0 keeps it; RBAC Role decodes', () => {
    const dep = decodeKubeProtobuf(
      body('apps/v1', 'Deployment', msg(1, str(1, 'd')), msg(2, num(1, 0), msg(4)), msg(3, num(1, 0))),
    );
    assert.deepEqual(dep.spec, { replicas: 0, strategy: {} });
    assert.deepEqual(dep.status, {});
    const role = decodeKubeProtobuf(
      body(
        'rbac.authorization.k8s.io/v1',
        'Role',
        msg(1, str(1, 'r')),
        msg(2, str(1, 'get'), str(1, 'list'), str(2, ''), str(3, 'pods')),
      ),
    );
    assert.deepEqual(role.rules, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]);
  });

  test('DeleteOptions decodes whatever group version labels it', () => {
    const out = decodeKubeProtobuf(
      body('apps/v1', 'DeleteOptions', num(1, 0), str(4, 'Foreground'), str(5, 'All')),
    );
    assert.deepEqual(out, {
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  });

  test('unknown kinds and unsupported nested messages are 415 naming them', () => {
    rejects(
      body('example.com/v1', 'Widget', msg(1, str(1, 'w'))),
      'UnsupportedMediaType',
      /Widget \(example\.com\/v1\)/,
    );
    rejects(
      body('apps/v1', 'Deployment', msg(1, str(1, 'd')), msg(3, num(2, 3))),
      'UnsupportedMediaType',
      /DeploymentStatus/,
    );
    const withEncoding = Uint8Array.from([
      ...body('v1', 'ConfigMap', msg(1, str(1, 'c'))),
      ...str(3, 'gzip'),
    ]);
    rejects(withEncoding, 'UnsupportedMediaType', /gzip/);
  });

  const MALFORMED: [string, Uint8Array][] = [
    ['empty body', new Uint8Array(0)],
    ['wrong magic', Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d])],
    ['magic only', Uint8Array.from([0x6b, 0x38, 0x73, 0x00])],
    ['truncated envelope', body('v1', 'ConfigMap', msg(1, str(1, 'c'))).subarray(0, 12)],
    [
      'truncated raw',
      (() => {
        const b = body('v1', 'ConfigMap', msg(1, str(1, 'long-name')));
        return b.subarray(0, b.length - 3);
      })(),
    ],
    ['length past the end', body('v1', 'ConfigMap', [0x0a, 0x7f, 0x01])],
    ['wrong wire type for a string', body('v1', 'ConfigMap', msg(1, num(1, 5)))],
    ['wrong wire type for a message', body('v1', 'ConfigMap', num(1, 5))],
    [
      'overlong varint',
      body('v1', 'ConfigMap', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ],
    ['field number 0', body('v1', 'ConfigMap', [0x02, 0x00])],
    ['group wire type', body('v1', 'ConfigMap', [0x0b])],
    ['FieldsV1 that is not JSON', body('v1', 'ConfigMap', msg(1, msg(17, msg(7, str(1, '{nope')))))],
    ['time out of range', body('v1', 'ConfigMap', msg(1, msg(8, num(1, 2n ** 62n))))],
  ];
  for (const [name, input] of MALFORMED) {
    test(`malformed input is 400 BadRequest: ${name}`, () => rejects(input, 'BadRequest'));
  }

  test('random corruption of a valid body never escapes as anything but an ApiError', () => {
    const good = body(
      'v1',
      'ConfigMap',
      msg(1, str(1, 'cm'), entry(11, 'a', str(2, 'b'))),
      entry(2, 'k', str(2, 'v')),
    );
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const copy = Uint8Array.from(good);
      copy[4 + (rand() % (copy.length - 4))] = rand() % 256;
      try {
        decodeKubeProtobuf(copy);
      } catch (err) {
        assert.ok(['BadRequest', 'UnsupportedMediaType'].includes(reasonOf(err) ?? ''), String(err));
        assert.equal(isInvalid(err), false);
      }
    }
  });
});

describe('schema table', () => {
  test('every referenced message is defined, special, or deliberately uncovered', () => {
    for (const [name, fields] of MESSAGES) {
      for (const spec of fields.values()) {
        const ref = /message:(\w+)/.exec(spec.type)?.[1];
        if (ref === undefined) continue;
        assert.ok(
          MESSAGES.has(ref) || SPECIAL_MESSAGES.has(ref) || UNCOVERED_MESSAGES.has(ref),
          `${name}.${spec.name} refers to unknown message ${ref}`,
        );
      }
    }
  });
});

test('goDuration formats like Go', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [999, '999ns'],
    [1500, '1.5µs'],
    [250e6, '250ms'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [3723.5e9, '1h2m3.5s'],
    [-2e9, '-2s'],
  ];
  for (const [ns, want] of cases) assert.equal(goDuration(ns), want);
});
