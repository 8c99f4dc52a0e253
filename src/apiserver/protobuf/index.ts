/**
 * Reads request bodies that clients send as Kubernetes protobuf
 * (`application/vnd.kubernetes.protobuf`), as kubectl's generator commands (`kubectl create
 * configmap|secret|deployment|…`, `kubectl expose`, `kubectl run`) do. The body is turned into
 * the same JSON object the client would have sent as JSON, so the rest of the server never sees
 * protobuf; responses stay JSON, which every client accepts.
 *
 * Wire layout: the 4-byte magic `k8s\0`, then a `runtime.Unknown` message — 1 typeMeta
 * {1 apiVersion, 2 kind}, 2 raw (the object's own message), 3 contentEncoding, 4 contentType.
 */
import { ApiError, errors } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { decodeMessage, SchemaGapError } from './decode.ts';
import { messageForKind } from './schema.ts';
import { WIRE, WireError, WireReader } from './wire.ts';

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** The prefix every Kubernetes protobuf body starts with. */
export const PROTOBUF_MAGIC: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The `runtime.Unknown` envelope of a protobuf body. */
export interface UnknownEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** Reads the magic and the `runtime.Unknown` envelope; throws `WireError` on malformed bytes. */
export function readEnvelope(body: Uint8Array): UnknownEnvelope {
  if (body.length < 4 || PROTOBUF_MAGIC.some((b, i) => body[i] !== b)) {
    throw new WireError('the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const out: UnknownEnvelope = {
    apiVersion: '',
    kind: '',
    raw: new Uint8Array(0),
    contentEncoding: '',
    contentType: '',
  };
  const r = new WireReader(body, 4);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field > 4) {
      r.skip(wire);
      continue;
    }
    if (wire !== WIRE.bytes) throw new WireError(`runtime.Unknown field ${field} has wire type ${wire}`);
    if (field === 1) {
      const t = r.sub();
      while (!t.done) {
        const tag = t.tag();
        if ((tag.field === 1 || tag.field === 2) && tag.wire === WIRE.bytes) {
          if (tag.field === 1) out.apiVersion = t.string();
          else out.kind = t.string();
        } else {
          t.skip(tag.wire);
        }
      }
    } else if (field === 2) out.raw = r.bytes();
    else if (field === 3) out.contentEncoding = r.string();
    else out.contentType = r.string();
  }
  return out;
}

/**
 * Decodes a Kubernetes protobuf request body into the object as JSON. Called by the API server's
 * body decoding for `application/vnd.kubernetes.protobuf`; synchronous and allocation-light.
 * Throws 415 `UnsupportedMediaType` for kinds (or nested messages) it has no schema for, so the
 * client can resend JSON, and 400 `BadRequest` for malformed bytes; never anything else.
 */
export function decodeKubeProtobuf(body: Uint8Array): KubeObject {
  let envelope: UnknownEnvelope | undefined;
  try {
    envelope = readEnvelope(body);
    const { apiVersion, kind } = envelope;
    if (kind === '' || apiVersion === '')
      throw new WireError('the protobuf envelope names no apiVersion and kind');
    if (envelope.contentEncoding !== '') {
      throw errors.unsupportedMediaType(
        `protobuf bodies with content encoding "${envelope.contentEncoding}" are not supported; send application/json`,
      );
    }
    const message = messageForKind(apiVersion, kind);
    if (message === undefined) {
      throw errors.unsupportedMediaType(
        `${kind} (${apiVersion}) cannot be decoded from ${PROTOBUF_CONTENT_TYPE} by this server; send application/json`,
      );
    }
    const decoded = decodeMessage(new WireReader(envelope.raw), message, kind);
    return { apiVersion, kind, ...(decoded as object) } as KubeObject;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof SchemaGapError) {
      throw errors.unsupportedMediaType(
        `${envelope?.kind ?? 'the object'}: ${err.message}; send application/json`,
      );
    }
    if (err instanceof WireError)
      throw errors.badRequest(`the protobuf request body is malformed: ${err.message}`);
    throw errors.badRequest(
      `the protobuf request body could not be decoded: ${(err as Error)?.message ?? String(err)}`,
    );
  }
}
