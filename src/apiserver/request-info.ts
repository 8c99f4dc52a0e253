/**
 * Turns a request path into what it addresses, as Kubernetes' RequestInfoFactory does:
 * `/apis/apps/v1/namespaces/default/deployments/web/scale` becomes group `apps`, version `v1`,
 * namespace `default`, resource `deployments`, name `web`, subresource `scale`.
 */

export interface ResourceRequest {
  kind: 'resource';
  /** `api` for the core group, `apis` for named groups. */
  prefix: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
}

export interface NonResourceRequest {
  kind: 'nonResource';
  path: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

/**
 * Parses a URL path. Discovery paths (`/api`, `/apis`, `/api/v1`, `/apis/g`, `/apis/g/v`) are
 * non-resource requests; so is anything outside `/api` and `/apis`.
 */
export function parseRequestPath(path: string): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '');
  const head = parts[0];
  if (head !== 'api' && head !== 'apis') return { kind: 'nonResource', path };
  let rest: string[];
  let group = '';
  let version: string | undefined;
  if (head === 'api') {
    version = parts[1];
    rest = parts.slice(2);
  } else {
    group = parts[1] ?? '';
    version = parts[2];
    rest = parts.slice(3);
  }
  if (version === undefined || rest.length === 0) return { kind: 'nonResource', path };
  const decoded = rest.map((p) => decodeURIComponent(p));
  let namespace = '';
  // `namespaces/{ns}/{resource}…` addresses namespaced objects; `namespaces/{name}[/status|finalize]`
  // is the Namespace object itself.
  if (decoded[0] === 'namespaces' && decoded.length >= 3 && !isNamespaceSubresource(decoded)) {
    namespace = decoded[1]!;
    decoded.splice(0, 2);
  }
  return {
    kind: 'resource',
    prefix: head,
    group,
    version,
    namespace,
    resource: decoded[0] ?? '',
    name: decoded[1] ?? '',
    subresource: decoded.slice(2).join('/'),
  };
}

function isNamespaceSubresource(parts: string[]): boolean {
  return parts.length === 3 && (parts[2] === 'status' || parts[2] === 'finalize');
}
