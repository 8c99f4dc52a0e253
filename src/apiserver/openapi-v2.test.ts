import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { FIXTURE_DEFS } from './discovery.fixtures.ts';
import {
  gvkYaml,
  OPENAPI_V2_PROTOBUF_TYPE,
  type openApiV2Json,
  openApiV2Protobuf,
  serveOpenApiV2,
} from './openapi-v2.ts';

// The subset of gnostic's openapiv2/OpenAPIv2.proto that the server encodes, with its field numbers.
const GNOSTIC_SUBSET = `
syntax = "proto3";
package openapi.v2;
message Document { string swagger = 1; Info info = 2; Paths paths = 8; }
message Info { string title = 1; string version = 2; }
message Paths { repeated NamedPathItem path = 2; }
message NamedPathItem { string name = 1; PathItem value = 2; }
message PathItem { Operation get = 2; Operation patch = 8; }
message Operation { repeated ParametersItem parameters = 8; Responses responses = 9; repeated NamedAny vendor_extension = 13; }
message ParametersItem { oneof oneof { Parameter parameter = 1; } }
message Parameter { oneof oneof { NonBodyParameter non_body_parameter = 2; } }
message NonBodyParameter { oneof oneof { QueryParameterSubSchema query_parameter_sub_schema = 3; } }
message QueryParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 6; }
message Responses { }
message NamedAny { string name = 1; Any value = 2; }
message Any { string yaml = 2; }
`;

interface DecodedDoc {
  swagger: string;
  info: { title: string; version: string };
  paths: {
    path: {
      name: string;
      value: {
        patch: {
          parameters: {
            parameter: {
              nonBodyParameter: { queryParameterSubSchema: { in: string; name: string; type: string } };
            };
          }[];
          responses?: object;
          vendorExtension: { name: string; value: { yaml: string } }[];
        };
      };
    }[];
  };
}

function decode(buf: Uint8Array): DecodedDoc {
  const Document = protobuf.parse(GNOSTIC_SUBSET, { keepCase: false }).root.lookupType('openapi.v2.Document');
  return Document.toObject(Document.decode(buf), { defaults: false }) as DecodedDoc;
}

/** A tiny independent wire-format walker: field number → raw payloads, wire type 2 only. */
function fields(buf: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  let i = 0;
  const readVarint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++] ?? 0;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = readVarint();
    assert.equal(key & 7, 2, 'only length-delimited fields are written');
    const len = readVarint();
    const list = out.get(key >> 3) ?? [];
    list.push(buf.subarray(i, i + len));
    out.set(key >> 3, list);
    i += len;
  }
  return out;
}

describe('openApiV2Protobuf', () => {
  it('decodes as a gnostic openapi_v2.Document with swagger 2.0 and info', () => {
    const doc = decode(openApiV2Protobuf(FIXTURE_DEFS));
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.info.title, 'Kubernetes');
    assert.match(doc.info.version, /^v1\.32\./);
  });

  it('has a PATCH per kind with fieldValidation and the GVK vendor extension as YAML', () => {
    const doc = decode(openApiV2Protobuf(FIXTURE_DEFS));
    const item = doc.paths.path.find(
      (p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}',
    );
    assert.ok(item, 'deployment path');
    assert.deepEqual(item.value.patch.parameters, [
      {
        parameter: {
          nonBodyParameter: {
            queryParameterSubSchema: { in: 'query', name: 'fieldValidation', type: 'string' },
          },
        },
      },
    ]);
    assert.deepEqual(item.value.patch.vendorExtension, [
      {
        name: 'x-kubernetes-group-version-kind',
        value: { yaml: 'group: "apps"\nkind: Deployment\nversion: v1\n' },
      },
    ]);
    const names = doc.paths.path.map((p) => p.name);
    for (const want of [
      '/api/v1/namespaces/{namespace}/pods/{name}',
      '/api/v1/namespaces/{name}',
      '/apis/networking.istio.io/v1alpha3/namespaces/{namespace}/virtualservices/{name}',
      '/apis/policy.karmada.io/v1alpha1/clusterpropagationpolicies/{name}',
    ]) {
      assert.ok(names.includes(want), want);
    }
  });

  it('encodes the empty responses message (field 9) the way the verified stub did', () => {
    const doc = fields(openApiV2Protobuf(FIXTURE_DEFS));
    assert.deepEqual([...doc.keys()], [1, 2, 8]);
    const firstPath = fields(doc.get(8)?.[0] ?? new Uint8Array()).get(2)?.[0];
    const pathItem = fields(fields(firstPath ?? new Uint8Array()).get(2)?.[0] ?? new Uint8Array());
    const op = fields(pathItem.get(8)?.[0] ?? new Uint8Array());
    assert.deepEqual([...op.keys()], [8, 9, 13]);
    assert.equal(op.get(9)?.[0]?.length, 0);
  });

  it('quotes YAML scalars that would not stay strings', () => {
    assert.equal(gvkYaml({ group: '', version: 'v1', kind: 'Pod' }), 'group: ""\nkind: Pod\nversion: v1\n');
    assert.equal(
      gvkYaml({ group: 'x.io', version: 'v1', kind: 'True' }),
      'group: "x.io"\nkind: "True"\nversion: v1\n',
    );
  });
});

describe('serveOpenApiV2', () => {
  it('answers the protobuf Accept kubectl 1.27 sends with the dotted content type', () => {
    const res = serveOpenApiV2(FIXTURE_DEFS, {
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['Content-Type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.equal(res.headers['Content-Type'], OPENAPI_V2_PROTOBUF_TYPE);
    assert.deepEqual(Buffer.from(res.body), openApiV2Protobuf(FIXTURE_DEFS));
    const again = serveOpenApiV2(FIXTURE_DEFS, {
      accept: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
      ifNoneMatch: res.headers.ETag ?? '',
    });
    assert.equal(again.status, 304);
  });

  it('answers JSON with the same operations', () => {
    const res = serveOpenApiV2(FIXTURE_DEFS, { accept: 'application/json' });
    assert.equal(res.headers['Content-Type'], 'application/json');
    const body = JSON.parse(res.body as string) as ReturnType<typeof openApiV2Json> & {
      paths: Record<string, { patch: Record<string, unknown> }>;
    };
    assert.equal(body.swagger, '2.0');
    assert.deepEqual(
      body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch[
        'x-kubernetes-group-version-kind'
      ],
      {
        group: 'apps',
        kind: 'Deployment',
        version: 'v1',
      },
    );
    assert.equal(Object.keys(body.paths).length, decode(openApiV2Protobuf(FIXTURE_DEFS)).paths.path.length);
    assert.equal((body as Record<string, unknown>).definitions, undefined);
  });

  it('406s media types it cannot produce', () => {
    assert.equal(serveOpenApiV2(FIXTURE_DEFS, { accept: 'text/html' }).status, 406);
  });
});
