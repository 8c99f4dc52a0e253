/**
 * Bearer tokens in Kubernetes' static token file format (`token,user,uid,"group1,group2"`, one per
 * line), as kube-apiserver's `--token-auth-file` reads it. The state directory's `tokens.csv`
 * holds an admin token generated on first start; users may add lines for more users.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { UserInfo } from '../apiserver/types.ts';

/** One line of a static token file. */
export interface TokenEntry {
  token: string;
  user: string;
  uid: string;
  groups: string[];
}

/** The user the generated admin token belongs to. */
export const ADMIN_USER = 'flotilla-admin';
/** The group that may do everything, as in Kubernetes. */
export const ADMIN_GROUP = 'system:masters';

/** A new random token: 32 bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Splits one CSV line, honouring double quotes (`""` inside quotes is a quote). */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

function quoteCsv(value: string): string {
  return /[",\s]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Parses a static token file; throws naming the line when one has fewer than token, user, uid. */
export function parseTokenFile(text: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [token = '', user = '', uid = '', groups = ''] = splitCsvLine(line).map((f) => f.trim());
    if (token === '' || user === '' || uid === '') {
      throw new Error(`token file line ${index + 1}: expected token,user,uid[,"group1,group2"]`);
    }
    entries.push({
      token,
      user,
      uid,
      groups: groups
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g !== ''),
    });
  });
  return entries;
}

/** Renders entries in the static token file format, one line each. */
export function formatTokenFile(entries: readonly TokenEntry[]): string {
  return entries
    .map((e) => [e.token, e.user, e.uid].map(quoteCsv).join(',') + `,"${e.groups.join(',')}"\n`)
    .join('');
}

/**
 * Reads `path`, creating it (mode 0600) with a fresh admin token when it does not exist; returns
 * its entries and the admin token (the first entry in `system:masters`).
 */
export async function ensureTokenFile(path: string): Promise<{ entries: TokenEntry[]; adminToken: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const admin: TokenEntry = {
      token: generateToken(),
      user: ADMIN_USER,
      uid: ADMIN_USER,
      groups: [ADMIN_GROUP],
    };
    text = formatTokenFile([admin]);
    // 'wx': a concurrent first start loses the race instead of overwriting the winner's token.
    await writeFile(path, text, { mode: 0o600, flag: 'wx' }).catch(
      async (writeErr: NodeJS.ErrnoException) => {
        if (writeErr.code !== 'EEXIST') throw writeErr;
        text = await readFile(path, 'utf8');
      },
    );
  }
  const entries = parseTokenFile(text);
  const admin = entries.find((e) => e.groups.includes(ADMIN_GROUP));
  if (!admin) throw new Error(`${path} has no token in group ${ADMIN_GROUP}`);
  return { entries, adminToken: admin.token };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * A `TokenAuthenticator` over the entries. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, always against every entry, so timing reveals neither a token nor its length.
 */
export function createTokenAuthenticator(
  entries: readonly TokenEntry[],
): (token: string) => UserInfo | undefined {
  const known = entries.map((e) => ({
    digest: digest(e.token),
    user: { name: e.user, groups: [...e.groups, 'system:authenticated'] } satisfies UserInfo,
  }));
  return (token) => {
    const presented = digest(token);
    let match: UserInfo | undefined;
    for (const entry of known) {
      if (timingSafeEqual(entry.digest, presented) && match === undefined) match = entry.user;
    }
    return match === undefined ? undefined : { name: match.name, groups: [...match.groups] };
  };
}
