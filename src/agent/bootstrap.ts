/**
 * The agent's side of registration (`karmadactl register`'s TLS bootstrap): discover the
 * control plane's CA from `kube-public/cluster-info` without credentials and check it against
 * the `sha256:` hash the admin printed (so the bootstrap token is never sent to an unverified
 * server); then, as the bootstrap-token user, request a client certificate for
 * `system:karmada:agent:<cluster>` through a CertificateSigningRequest and wait until the
 * control plane has approved and signed it. The private key never leaves this process.
 */
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { AGENT_SIGNER, AGENTS_GROUP, agentUser } from '../api/karmada/agent.ts';
import type { KubeObject } from '../api/meta.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromUrl } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { caCertHash, createCertificateRequest } from '../pki/index.ts';

/** A refusal during bootstrap; `code` is stable. */
export class BootstrapError extends Error {
  readonly code: 'CaHashMismatch' | 'NoClusterInfo' | 'Denied' | 'Timeout' | 'BadHash';
  constructor(code: BootstrapError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BootstrapError';
    this.code = code;
  }
}

/** Options for {@link discoverCa}. */
export interface DiscoverOptions {
  server: string;
  /** `sha256:<hex>`; required unless `unsafeSkipCaVerification`. */
  caCertHash?: string | undefined;
  unsafeSkipCaVerification?: boolean | undefined;
  timeoutMs?: number | undefined;
}

/** Normalises `sha256:<hex>` (case-insensitive); throws `BadHash` otherwise. */
export function normaliseCaHash(hash: string): string {
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(hash.trim());
  if (!m)
    throw new BootstrapError(
      'BadHash',
      `--discovery-token-ca-cert-hash must be sha256:<64 hex digits>, got "${hash}"`,
    );
  return `sha256:${(m[1] ?? '').toLowerCase()}`;
}

/** Reads the CA out of cluster-info (anonymously, server not yet trusted) and checks its hash. */
export async function discoverCa(options: DiscoverOptions): Promise<string> {
  const wanted = options.caCertHash ? normaliseCaHash(options.caCertHash) : undefined;
  if (wanted === undefined && !options.unsafeSkipCaVerification) {
    throw new BootstrapError(
      'BadHash',
      'give --discovery-token-ca-cert-hash sha256:… (printed by flotilla token create --print-register-command) or --discovery-token-unsafe-skip-ca-verification',
    );
  }
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: options.server, insecure: true }),
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  let cm: KubeObject;
  try {
    cm = await client.get(resources.configmaps, { namespace: 'kube-public', name: 'cluster-info' });
  } catch (err) {
    throw new BootstrapError('NoClusterInfo', `cannot read kube-public/cluster-info from ${options.server}`, {
      cause: err,
    });
  } finally {
    await client.close();
  }
  const doc = parse(String(cm.data?.kubeconfig ?? '')) as {
    clusters?: { cluster?: { 'certificate-authority-data'?: string } }[];
  } | null;
  const data = doc?.clusters?.[0]?.cluster?.['certificate-authority-data'];
  if (!data) throw new BootstrapError('NoClusterInfo', 'kube-public/cluster-info holds no CA');
  const ca = Buffer.from(data, 'base64').toString('utf8');
  const actual = caCertHash(ca);
  if (wanted !== undefined && actual !== wanted) {
    throw new BootstrapError(
      'CaHashMismatch',
      `the control plane's CA hash is ${actual}, not ${wanted}: refusing to trust ${options.server}`,
    );
  }
  return ca;
}

/** Options for {@link requestAgentCertificate}. */
export interface CertificateRequestOptions {
  server: string;
  /** The CA verified by {@link discoverCa}. */
  ca: string;
  /** The bootstrap token (or any identity allowed to create CSRs). */
  token: string;
  cluster: string;
  /** How long to wait for approval and signing; default 60 s. */
  timeoutMs?: number | undefined;
}

/** The issued certificate and its key (PEM). */
export interface AgentCertificate {
  cert: string;
  key: string;
  csrName: string;
}

/** Creates the CSR and waits for its certificate; throws `Denied` or `Timeout`. */
export async function requestAgentCertificate(options: CertificateRequestOptions): Promise<AgentCertificate> {
  const { csr, key } = await createCertificateRequest({
    commonName: agentUser(options.cluster),
    organizations: [AGENTS_GROUP],
  });
  const client = new Client({
    kubeConfig: kubeConfigFromUrl({ server: options.server, token: options.token, caData: options.ca }),
    timeoutMs: 10_000,
  });
  const name = `${options.cluster}-${randomBytes(4).toString('hex').slice(0, 5)}`;
  try {
    await client.create(resources.certificatesigningrequests, {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: {
        request: Buffer.from(csr).toString('base64'),
        signerName: AGENT_SIGNER,
        usages: ['digital signature', 'key encipherment', 'client auth'],
        expirationSeconds: 365 * 86_400,
      },
    });
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const current = await client.get(resources.certificatesigningrequests, { name });
      const refused = (current.status?.conditions ?? []).find(
        (c: { type: string; status?: string }) =>
          (c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False',
      );
      if (refused) {
        throw new BootstrapError(
          'Denied',
          `certificate request ${name} was ${refused.type.toLowerCase()}: ${refused.message ?? refused.reason}`,
        );
      }
      if (current.status?.certificate) {
        return {
          cert: Buffer.from(current.status.certificate, 'base64').toString('utf8'),
          key,
          csrName: name,
        };
      }
      if (Date.now() > deadline) {
        throw new BootstrapError(
          'Timeout',
          `certificate request ${name} was not approved and signed in time`,
        );
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await client.close();
  }
}
