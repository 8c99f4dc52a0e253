/**
 * Small HTTP helpers for the API server: reading bodies within a size limit, decoding JSON or
 * YAML, writing JSON and Status responses, and reading Accept for Table and metadata-only forms.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, errors } from '../api/errors.ts';
import { decodeKubeProtobuf, PROTOBUF_CONTENT_TYPE } from './protobuf/index.ts';

/** Reads the whole request body; refuses bodies over `limit` bytes with 413 without buffering them. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(
        errors.tooLarge(`the request body is too large: ${declared} bytes, the limit is ${limit} bytes`),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(errors.tooLarge(`the request body is too large: over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(errors.badRequest(`reading the request body failed: ${err.message}`));
    });
  });
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Decodes a request body as JSON (or YAML for `application/yaml` and apply patches, whose bodies
 * are JSON from kubectl but may be YAML from other clients).
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  // kubectl's generators (`kubectl create namespace|configmap|deployment …`) send protobuf.
  if (type === PROTOBUF_CONTENT_TYPE) return decodeKubeProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  const yamlAllowed =
    type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml';
  const jsonTypes = new Set([
    '',
    'application/json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/json-patch+json',
  ]);
  if (!yamlAllowed && !jsonTypes.has(type)) {
    throw errors.unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (jsonErr) {
    if (!yamlAllowed)
      throw errors.badRequest(`the request body is not valid JSON: ${(jsonErr as Error).message}`);
    try {
      return parseYaml(text, { maxAliasCount: 100 });
    } catch (yamlErr) {
      throw errors.badRequest(
        `the request body is not valid YAML: ${(yamlErr as Error).message.split('\n')[0]}`,
      );
    }
  }
}

/** Writes a JSON response. */
export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes an error as a `Status`; non-API errors become 500 InternalError. */
export function sendError(res: ServerResponse, err: unknown): ApiError {
  const apiErr = err instanceof ApiError ? err : errors.internal((err as Error)?.message ?? String(err), err);
  if (res.headersSent) {
    res.destroy();
    return apiErr;
  }
  sendJson(res, apiErr.code, apiErr.toStatus());
  return apiErr;
}

/** What representation the client asked for in Accept. */
export type Representation = 'object' | 'table' | 'partialMetadata';

export interface AcceptInfo {
  as: Representation;
  /** `v1` or `v1beta1` of `meta.k8s.io` for Table and PartialObjectMetadata. */
  metaVersion: string;
}

/** Reads Accept: a `meta.k8s.io` Table or PartialObjectMetadata(List) form, else plain objects. */
export function negotiateRepresentation(accept: string | undefined): AcceptInfo {
  for (const clause of (accept ?? '').split(',')) {
    const params = new Map<string, string>();
    for (const p of clause.split(';').slice(1)) {
      const [k, v] = p.split('=');
      if (k && v) params.set(k.trim(), v.trim());
    }
    if (params.get('g') !== 'meta.k8s.io') continue;
    const v = params.get('v') ?? 'v1';
    const as = params.get('as');
    if (as === 'Table') return { as: 'table', metaVersion: v };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList')
      return { as: 'partialMetadata', metaVersion: v };
  }
  return { as: 'object', metaVersion: 'v1' };
}
