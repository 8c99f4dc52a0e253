/**
 * Serving the page's files from `web/`: `/` is `index.html`, other paths map to files under the
 * folder and never outside it; unknown paths are 404. Files are read per request (the page is a
 * handful of small files) and revalidated by the browser on every load.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Answers a GET/HEAD for `pathname` from `root`, with `headers` added to every answer. */
export async function serveStatic(
  root: string,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    decoded = '';
  }
  const relative = decoded === '/' ? 'index.html' : normalize(decoded).replace(/^[/\\]+/, '');
  const file = join(root, relative);
  const type = TYPES[extname(file)];
  const inside = file.startsWith(root.endsWith(sep) ? root : root + sep);
  const found = inside && type !== undefined && !relative.split(/[/\\]/).some((p) => p.startsWith('.'));
  const info = found ? await stat(file).catch(() => undefined) : undefined;
  if (!info?.isFile()) {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`not found: ${pathname}\n`);
    return;
  }
  const body = await readFile(file);
  res.writeHead(200, {
    ...headers,
    'content-type': type as string,
    'content-length': body.length,
    'cache-control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
