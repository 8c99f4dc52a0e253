/**
 * The dashboard's authentication: it keeps no users of its own. A request's bearer token is
 * shown to the control plane's API server (a one-item list of Clusters, which every view needs
 * to read), and the server's answer decides: 2xx lets the request through, 401 and 403 go back
 * to the browser as the API server's own Status. Positive answers are cached for a few seconds
 * per token, so a page's requests cost one check, and a revoked token stops working soon after.
 */
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
import type { Status } from '../api/meta.ts';
import { failure } from './status.ts';

/** What the API server said about a token. */
export type Verdict = { ok: true } | { ok: false; code: number; status: Status };

/** Options for {@link TokenVerifier}. */
export interface TokenVerifierOptions {
  /** Where the API server is and how to trust it (its user's credentials are not used). */
  kubeConfig: KubeConfig;
  /** The request a token must be allowed to make; default a one-item list of Clusters. */
  probePath?: string;
  /** How long an accepted token stays accepted without asking again; default 10 s. */
  cacheMs?: number;
  /** Per-check timeout; default 10 s. */
  timeoutMs?: number;
}

/** Checks bearer tokens against the API server; share one per dashboard. */
export class TokenVerifier {
  readonly #server: string;
  readonly #probe: string;
  readonly #cacheMs: number;
  readonly #timeoutMs: number;
  readonly #accepted = new Map<string, number>();
  #agent: Promise<Agent>;

  constructor(options: TokenVerifierOptions) {
    const cluster = options.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.#server = cluster.server.replace(/\/+$/, '');
    this.#probe = options.probePath ?? '/apis/cluster.karmada.io/v1alpha1/clusters?limit=1';
    this.#cacheMs = options.cacheMs ?? 10_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#agent = (async () => {
      // Only how to trust the server: the kubeconfig user's certificate or token must not vouch
      // for the browser's token.
      const tls: { ca?: unknown; rejectUnauthorized?: boolean } = {};
      await options.kubeConfig.applyToHTTPSOptions(tls);
      return new Agent({
        connect: {
          ...(tls.ca !== undefined ? { ca: tls.ca as string } : {}),
          ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
        },
      });
    })();
  }

  /** Asks the API server about `token` (undefined: no Authorization header); never rejects. */
  async verify(token: string | undefined): Promise<Verdict> {
    if (token === undefined || token === '') {
      return { ok: false, code: 401, status: failure(401, 'Unauthorized', 'Unauthorized: no bearer token') };
    }
    const key = createHash('sha256').update(token).digest('base64url');
    const until = this.#accepted.get(key);
    if (until !== undefined && until > Date.now()) return { ok: true };
    this.#accepted.delete(key);
    try {
      const res = await request(`${this.#server}${this.#probe}`, {
        dispatcher: await this.#agent,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        this.#accepted.set(key, Date.now() + this.#cacheMs);
        return { ok: true };
      }
      let body: Partial<Status> | undefined;
      try {
        body = JSON.parse(text) as Partial<Status>;
      } catch {
        body = undefined;
      }
      const code = res.statusCode === 401 || res.statusCode === 403 ? res.statusCode : 502;
      return {
        ok: false,
        code,
        status:
          body?.kind === 'Status' && code !== 502
            ? (body as Status)
            : failure(code, 'BadGateway', `the API server answered the token check with ${res.statusCode}`),
      };
    } catch (err) {
      return {
        ok: false,
        code: 502,
        status: failure(
          502,
          'BadGateway',
          `the API server could not check the token: ${(err as Error).message}`,
        ),
      };
    }
  }

  /** Closes the connections to the API server. */
  async close(): Promise<void> {
    await (await this.#agent).close();
  }
}

/** The token of an `Authorization: Bearer …` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
