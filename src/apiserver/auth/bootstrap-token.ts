/**
 * Bootstrap-token authentication, as kube-apiserver's `--enable-bootstrap-token-auth`: a bearer
 * token `<id>.<secret>` is looked up as Secret `kube-system/bootstrap-token-<id>` of type
 * `bootstrap.kubernetes.io/token`; it authenticates as `system:bootstrap:<id>` in
 * `system:bootstrappers` (plus the Secret's `auth-extra-groups`) while `token-secret` matches,
 * `usage-bootstrap-authentication` is `true` and `expiration` has not passed. Anything else is
 * passed to the next authenticator.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  BOOTSTRAP_TOKEN_PATTERN,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_USER_PREFIX,
  BOOTSTRAPPERS_GROUP,
} from '../../api/karmada/agent.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Storage } from '../../storage/types.ts';
import { objectKey } from '../keys.ts';
import type { TokenAuthenticator, UserInfo } from '../types.ts';

const SECRETS = { group: '', plural: 'secrets', namespaced: true } as const;

function field(secret: KubeObject, key: string): string | undefined {
  const v = (secret.data as Record<string, string> | undefined)?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** The user a bootstrap-token Secret grants for `tokenSecret` at `now`, or undefined. Pure. */
export function bootstrapUser(
  secret: KubeObject,
  id: string,
  tokenSecret: string,
  now = Date.now(),
): UserInfo | undefined {
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || secret.metadata.deletionTimestamp) return undefined;
  if (field(secret, 'token-id') !== id) return undefined;
  const stored = Buffer.from(field(secret, 'token-secret') ?? '');
  const presented = Buffer.from(tokenSecret);
  if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return undefined;
  if (field(secret, 'usage-bootstrap-authentication') !== 'true') return undefined;
  const expiration = field(secret, 'expiration');
  if (expiration !== undefined && !(Date.parse(expiration) > now)) return undefined;
  const extra = (field(secret, 'auth-extra-groups') ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g.startsWith(`${BOOTSTRAPPERS_GROUP}:`));
  return {
    name: `${BOOTSTRAP_USER_PREFIX}${id}`,
    groups: [BOOTSTRAPPERS_GROUP, ...extra, 'system:authenticated'],
  };
}

/**
 * Chains `next` (the static token file) behind bootstrap-token lookup in `storage`. Tokens that
 * do not look like bootstrap tokens never touch the store.
 */
export function withBootstrapTokens(storage: Storage, next: TokenAuthenticator): TokenAuthenticator {
  return async (token) => {
    const m = BOOTSTRAP_TOKEN_PATTERN.exec(token);
    if (!m) return next(token);
    const [, id = '', tokenSecret = ''] = m;
    const kv = await storage.get(objectKey(SECRETS, 'kube-system', `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`));
    if (kv === undefined) return next(token);
    let secret: KubeObject;
    try {
      secret = JSON.parse(kv.value) as KubeObject;
    } catch {
      return undefined;
    }
    return bootstrapUser(secret, id, tokenSecret) ?? next(token);
  };
}
