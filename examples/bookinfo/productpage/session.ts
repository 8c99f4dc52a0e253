/**
 * productpage's session cookie, the counterpart of Flask's signed `session` cookie: the payload
 * `{"user": ...}` is base64url JSON followed by an HMAC-SHA256 signature, so clients can read but
 * not forge it. Any replica sharing the secret accepts it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

/** Name of the session cookie (as Flask's). */
export const SESSION_COOKIE = 'session';

/** What the session carries. */
export interface Session {
  readonly user?: string;
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Serialises and signs `session` into a cookie value. */
export function encodeSession(session: Session, secret: string): string {
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** Verifies and parses a cookie value; returns an empty session when absent, forged or malformed. */
export function decodeSession(value: string | undefined, secret: string): Session {
  if (!value) return {};
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return {};
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(payload, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const user = (parsed as { user?: unknown }).user;
    return typeof user === 'string' && user !== '' ? { user } : {};
  } catch {
    return {};
  }
}

/** Parses a `Cookie` request header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    out.set(name, value);
  }
  return out;
}

/** Reads the session of a request from its cookie. */
export function sessionOf(req: http.IncomingMessage, secret: string): Session {
  return decodeSession(parseCookies(req.headers.cookie).get(SESSION_COOKIE), secret);
}

/** The `Set-Cookie` value that stores `session`, or clears the cookie when it has no user. */
export function sessionCookie(session: Session, secret: string): string {
  if (session.user === undefined) {
    return `${SESSION_COOKIE}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax`;
  }
  return `${SESSION_COOKIE}=${encodeSession(session, secret)}; HttpOnly; Path=/; SameSite=Lax`;
}
