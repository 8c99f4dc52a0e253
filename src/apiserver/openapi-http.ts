/**
 * Sends OpenAPI answers (`/openapi/v2`, `/openapi/v3[/…]`) computed by the pure builders.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.ts';
import type { ResourceDef } from '../api/resource-def.ts';
import { type OpenApiHttpResponse, serveOpenApiV2, serveOpenApiV3 } from './openapi.ts';

/** Answers an OpenAPI request; throws 404 for unknown documents. */
export function serveOpenApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  defs: readonly ResourceDef[],
  generation: number,
): void {
  const url = new URL(req.url ?? '/', 'http://apiserver');
  const accept = req.headers.accept;
  const ifNoneMatch = req.headers['if-none-match'];
  let answer: OpenApiHttpResponse | undefined;
  if (path === '/openapi/v2') {
    answer = serveOpenApiV2(
      defs,
      { ...(accept ? { accept } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) },
      { generation },
    );
  } else {
    const hash = url.searchParams.get('hash');
    answer = serveOpenApiV3(
      defs,
      {
        path,
        ...(hash !== null ? { hash } : {}),
        ...(accept ? { accept } : {}),
        ...(ifNoneMatch ? { ifNoneMatch } : {}),
      },
      { generation },
    );
  }
  if (!answer)
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', { details: {} });
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}
