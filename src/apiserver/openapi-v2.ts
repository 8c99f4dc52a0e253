/**
 * `/openapi/v2`: a minimal Swagger 2.0 document holding, per kind, PATCH operations with
 * `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter. kubectl 1.27 and
 * 1.28 ask only for the gnostic protobuf form and, seeing `fieldValidation`, validate server-side;
 * newer kubectl probe it during apply's patch fallback. It deliberately has no definitions, so
 * kubectl never mistakes it for a schema source (kubectl-wire.md §5.4). The protobuf is
 * hand-encoded from the field numbers of gnostic's `openapi_v2.Document`.
 */
import { createHash } from 'node:crypto';
import type { ResourceDef } from '../api/resource-def.ts';
import type { GroupVersionKind } from './discovery.ts';
import type { OpenApiHttpResponse, OpenApiOptions } from './openapi.ts';
import { kindPaths, memoByCatalog, servedGroupVersions } from './openapi-paths.ts';
import { KUBERNETES_VERSION } from './version.ts';

/** The protobuf Content-Type kubectl accepts; the `@v1.0` spelling it sends in Accept breaks its mime parser. */
export const OPENAPI_V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTOBUF_SUBTYPES = [
  'com.github.proto-openapi.spec.v2.v1.0+protobuf',
  'com.github.proto-openapi.spec.v2@v1.0+protobuf',
];

interface PatchOp {
  path: string;
  gvk: GroupVersionKind;
}

function patchOps(defs: readonly ResourceDef[]): PatchOp[] {
  const ops: PatchOp[] = [];
  for (const { group, version } of servedGroupVersions(defs)) {
    for (const def of defs) {
      if (def.group !== group || !def.versions.includes(version)) continue;
      for (const p of kindPaths(def, version)) {
        const patch = p.operations.find((o) => o.method === 'patch');
        if (patch) ops.push({ path: p.path, gvk: patch.gvk });
      }
    }
  }
  return ops;
}

/** The Swagger 2.0 JSON form of the same content as `openApiV2Protobuf`, for `Accept: application/json`. */
export function openApiV2Json(defs: readonly ResourceDef[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const op of patchOps(defs)) {
    paths[op.path] = {
      patch: {
        parameters: [{ uniqueItems: true, type: 'string', name: 'fieldValidation', in: 'query' }],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-group-version-kind': {
          group: op.gvk.group,
          kind: op.gvk.kind,
          version: op.gvk.version,
        },
      },
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION }, paths };
}

// --- a minimal protobuf writer: length-delimited fields only (wire type 2) ---

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** Field `num` with wire type 2 holding `payload` (a string's UTF-8 bytes or a nested message). */
function field(num: number, payload: Uint8Array | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from([...varint((num << 3) | 2), ...varint(bytes.length)]), bytes]);
}

const msg = (...fields: Buffer[]): Buffer => Buffer.concat(fields);

const YAML_WORDS = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

function yamlScalar(s: string): string {
  return /^[A-Za-z][A-Za-z0-9]*$/.test(s) && !YAML_WORDS.test(s) ? s : JSON.stringify(s);
}

/** The GVK extension as gnostic stores vendor extensions: a YAML rendering (measured byte form). */
export function gvkYaml(gvk: GroupVersionKind): string {
  return `group: ${JSON.stringify(gvk.group)}\nkind: ${yamlScalar(gvk.kind)}\nversion: ${yamlScalar(gvk.version)}\n`;
}

function encodePatchOperation(gvk: GroupVersionKind): Buffer {
  // QueryParameterSubSchema{in(2), name(4), type(6)} ⊂ NonBodyParameter(3) ⊂ Parameter(2) ⊂ ParametersItem(1)
  const query = msg(field(2, 'query'), field(4, 'fieldValidation'), field(6, 'string'));
  const parametersItem = field(1, field(2, field(3, query)));
  const gvkExtension = msg(field(1, 'x-kubernetes-group-version-kind'), field(2, field(2, gvkYaml(gvk))));
  // Operation{parameters(8), responses(9) = {}, vendor_extension(13)}
  return msg(field(8, parametersItem), field(9, new Uint8Array()), field(13, gvkExtension));
}

function buildProtobuf(defs: readonly ResourceDef[]): Buffer {
  const paths = patchOps(defs).map((op) =>
    // NamedPathItem{name(1), value(2) PathItem{patch(8)}} as Paths.path(2)
    field(2, msg(field(1, op.path), field(2, field(8, encodePatchOperation(op.gvk))))),
  );
  // Document{swagger(1), info(2) Info{title(1), version(2)}, paths(8)}
  return msg(
    field(1, '2.0'),
    field(2, msg(field(1, 'Kubernetes'), field(2, KUBERNETES_VERSION))),
    field(8, msg(...paths)),
  );
}

interface BuiltV2 {
  proto: Buffer;
  protoEtag: string;
  json: string;
  jsonEtag: string;
}

const etag = (d: Uint8Array | string): string =>
  `"${createHash('sha512').update(d).digest('hex').toUpperCase()}"`;

const buildV2 = memoByCatalog((defs): BuiltV2 => {
  const proto = buildProtobuf(defs);
  const json = JSON.stringify(openApiV2Json(defs));
  return { proto, protoEtag: etag(proto), json, jsonEtag: etag(json) };
});

function built(defs: readonly ResourceDef[], options: OpenApiOptions): BuiltV2 {
  return buildV2(defs, options.generation);
}

/** The hand-encoded gnostic `openapi_v2.Document` protobuf for `/openapi/v2` (served as `OPENAPI_V2_PROTOBUF_TYPE`). */
export function openApiV2Protobuf(defs: readonly ResourceDef[], options: OpenApiOptions = {}): Buffer {
  return Buffer.from(built(defs, options).proto);
}

/**
 * Answers `GET /openapi/v2` by `Accept`, first acceptable clause winning: either protobuf spelling
 * gets the protobuf with `Content-Type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf`,
 * `application/json` or a wildcard gets JSON; both with ETag and `Vary: Accept`, 304 on a matching
 * `If-None-Match`, 406 otherwise.
 */
export function serveOpenApiV2(
  defs: readonly ResourceDef[],
  req: { accept?: string; ifNoneMatch?: string },
  options: OpenApiOptions = {},
): OpenApiHttpResponse {
  const doc = built(defs, options);
  for (const clause of (req.accept || '*/*').split(',')) {
    const type = (clause.split(';')[0] ?? '').trim().toLowerCase();
    const [major, sub] = type.split('/');
    let chosen: { contentType: string; etag: string; body: string | Uint8Array } | undefined;
    if (major === 'application' && sub !== undefined && PROTOBUF_SUBTYPES.includes(sub)) {
      chosen = { contentType: OPENAPI_V2_PROTOBUF_TYPE, etag: doc.protoEtag, body: doc.proto };
    } else if (type === 'application/json' || type === 'application/*' || type === '*/*') {
      chosen = { contentType: 'application/json', etag: doc.jsonEtag, body: doc.json };
    }
    if (!chosen) continue;
    const headers = { 'Content-Type': chosen.contentType, ETag: chosen.etag, Vary: 'Accept' };
    const match = req.ifNoneMatch?.split(',').some((t) => t.trim() === chosen.etag || t.trim() === '*');
    return match ? { status: 304, headers, body: '' } : { status: 200, headers, body: chosen.body };
  }
  return { status: 406, headers: { Vary: 'Accept' }, body: '' };
}
