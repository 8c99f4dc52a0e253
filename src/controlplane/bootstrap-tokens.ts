/**
 * Bootstrap tokens as Kubernetes keeps them (`kubeadm token`, `karmadactl token`): Secret
 * `kube-system/bootstrap-token-<id>` of type `bootstrap.kubernetes.io/token` holding the id, the
 * secret, an expiration, and the extra group registration tokens carry. Creating one also makes
 * sure `karmada-cluster` exists, where agents keep their Lease and Secret. Admin operations,
 * through the API.
 */
import { randomInt } from 'node:crypto';
import { isAlreadyExists, isNotFound } from '../api/errors.ts';
import {
  BOOTSTRAP_TOKEN_PATTERN,
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  REGISTER_TOKEN_GROUP,
} from '../api/karmada/agent.ts';
import { CLUSTER_SECRET_NAMESPACE } from '../api/karmada/names.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** A new token `[a-z0-9]{6}.[a-z0-9]{16}`. */
export function generateBootstrapToken(): string {
  return `${randomString(6)}.${randomString(16)}`;
}

/** A bootstrap token as listed. */
export interface BootstrapTokenInfo {
  id: string;
  /** RFC 3339; undefined: never expires. */
  expiration?: string | undefined;
  description?: string | undefined;
  groups: string[];
}

/** Options for {@link createBootstrapToken}. */
export interface CreateTokenOptions {
  /** Lifetime; 0 never expires. Default 24 h (Karmada's). */
  ttlMs?: number;
  description?: string;
  /** A chosen token (must match the format); default a random one. */
  token?: string;
  now?: Date;
}

async function ensureNamespace(client: Client, name: string): Promise<void> {
  try {
    await client.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** Stores a new bootstrap token and returns it with its details. */
export async function createBootstrapToken(
  client: Client,
  options: CreateTokenOptions = {},
): Promise<BootstrapTokenInfo & { token: string }> {
  const token = options.token ?? generateBootstrapToken();
  const m = BOOTSTRAP_TOKEN_PATTERN.exec(token);
  if (!m) throw new Error(`token "${token}" does not match [a-z0-9]{6}.[a-z0-9]{16}`);
  const [, id = '', secret = ''] = m;
  const ttl = options.ttlMs ?? 24 * 3600_000;
  const expiration =
    ttl > 0
      ? new Date((options.now ?? new Date()).getTime() + ttl).toISOString().replace(/\.\d{3}Z$/, 'Z')
      : undefined;
  const description = options.description ?? 'created by flotilla token create';
  const fields: Record<string, string> = {
    'token-id': id,
    'token-secret': secret,
    description,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': REGISTER_TOKEN_GROUP,
    ...(expiration ? { expiration } : {}),
  };
  const data = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  await ensureNamespace(client, CLUSTER_SECRET_NAMESPACE);
  await client.create(resources.secrets, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`, namespace: 'kube-system' },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data,
  });
  return { token, id, expiration, description, groups: [REGISTER_TOKEN_GROUP] };
}

function decoded(secret: KubeObject, key: string): string | undefined {
  const v = (secret.data as Record<string, string> | undefined)?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** The bootstrap tokens in kube-system (ids, never secrets), oldest first. */
export async function listBootstrapTokens(client: Client): Promise<BootstrapTokenInfo[]> {
  const list = await client.list(resources.secrets, { namespace: 'kube-system' });
  return list.items
    .filter((s) => s.type === BOOTSTRAP_TOKEN_SECRET_TYPE)
    .map((s) => ({
      id: decoded(s, 'token-id') ?? '',
      expiration: decoded(s, 'expiration'),
      description: decoded(s, 'description'),
      groups: (decoded(s, 'auth-extra-groups') ?? '').split(',').filter(Boolean),
    }));
}

/** Deletes a token by id or by the whole token; false when there was none. */
export async function deleteBootstrapToken(client: Client, idOrToken: string): Promise<boolean> {
  const id = idOrToken.split('.')[0] ?? '';
  try {
    await client.delete(resources.secrets, {
      namespace: 'kube-system',
      name: `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`,
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** The command a member runs to register: `flotilla register <server> --token … --discovery-token-ca-cert-hash …`. */
export function registerCommand(server: string, token: string, caHash: string): string {
  return `flotilla register ${server} --token ${token} --discovery-token-ca-cert-hash ${caHash}`;
}
