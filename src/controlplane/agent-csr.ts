/**
 * The agent CSR approver and signer (Karmada's `agentcsrapproving` controller plus the
 * `kubernetes.io/kube-apiserver-client` signer), run where the CA key is: beside the control
 * plane's API server. A CSR for an agent identity (`CN=system:karmada:agent:<cluster>`,
 * `O=system:karmada:agents`, no SANs, usages within digital signature, key encipherment and
 * client auth, signed by its own key) is approved when its requester may ask for it: a
 * bootstrap-token user (for a cluster that is not a Push cluster), the agent itself (rotation),
 * or an admin; otherwise it is denied with the reason. Approved agent CSRs are signed by the CA
 * (365 days, or `spec.expirationSeconds` when shorter). Other CSRs are left to an admin.
 */
import type { Logger } from 'pino';
import { AGENT_SIGNER, AGENT_USER_PREFIX, AGENTS_GROUP, BOOTSTRAPPERS_GROUP } from '../api/karmada/agent.ts';
import type { Cluster } from '../api/karmada/types.ts';
import type { Condition, KubeObject } from '../api/meta.ts';
import type { Client } from '../client/client.ts';
import { resources } from '../client/resources.ts';
import { InformerFactory } from '../controller/factory.ts';
import { Controller } from '../controller/reconciler.ts';
import { setCondition, writeStatus } from '../federation/status-write.ts';
import { silentLogger } from '../log/index.ts';
import {
  type CertAndKey,
  type ParsedCertificateRequest,
  parseCertificateRequest,
  signClientCertificate,
} from '../pki/index.ts';

const ALLOWED_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);
const DEFAULT_VALID_DAYS = 365;

/** The approver's verdict on one CSR: approve, deny with a reason, or not an agent CSR at all. */
export type CsrVerdict = { approve: true } | { deny: string } | { ignore: true };

/**
 * Reviews an agent CSR; pure. `clusterMode` tells the sync mode of an existing Cluster of the
 * requested name (undefined when there is none).
 */
export function reviewAgentCsr(
  csr: KubeObject,
  parsed: ParsedCertificateRequest,
  clusterMode: (name: string) => 'Push' | 'Pull' | undefined,
): CsrVerdict {
  if (csr.spec?.signerName !== AGENT_SIGNER || !parsed.commonName.startsWith(AGENT_USER_PREFIX)) {
    return { ignore: true };
  }
  const cluster = parsed.commonName.slice(AGENT_USER_PREFIX.length);
  if (cluster === '') return { deny: 'the certificate names no cluster' };
  if (parsed.organizations.length !== 1 || parsed.organizations[0] !== AGENTS_GROUP) {
    return { deny: `an agent certificate must have exactly O=${AGENTS_GROUP}` };
  }
  if (parsed.hasSubjectAltNames)
    return { deny: 'an agent certificate may not carry subject alternative names' };
  if (!parsed.signatureValid) return { deny: 'the request is not signed by the key it carries' };
  const usages: string[] = csr.spec?.usages ?? [];
  if (!usages.includes('client auth') || usages.some((u) => !ALLOWED_USAGES.has(u))) {
    return {
      deny: 'an agent certificate may only be used for digital signature, key encipherment and client auth',
    };
  }
  const user: string = csr.spec?.username ?? '';
  const groups: string[] = csr.spec?.groups ?? [];
  if (groups.includes('system:masters') || user === parsed.commonName) return { approve: true };
  if (groups.includes(BOOTSTRAPPERS_GROUP)) {
    if (clusterMode(cluster) === 'Push') {
      return { deny: `cluster "${cluster}" is a Push cluster; it cannot be registered by an agent` };
    }
    return { approve: true };
  }
  return { deny: `user "${user}" may not request a certificate for cluster "${cluster}"` };
}

function condition(type: string, reason: string, message: string): Condition {
  return {
    type,
    status: 'True',
    reason,
    message,
    lastUpdateTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  } as Condition;
}

const has = (csr: KubeObject, type: string) =>
  (csr.status?.conditions ?? []).some((c: Condition) => c.type === type && c.status !== 'False');

/** Options for {@link startAgentCsrSigner}. */
export interface AgentCsrSignerOptions {
  /** An admin client of the control plane; not closed by `stop`. */
  client: Client;
  /** The CA that signs agent certificates (the one the API server trusts for client certificates). */
  ca: CertAndKey;
  logger?: Logger | undefined;
}

/** Starts the approver and signer; resolves once its informers synced. */
export async function startAgentCsrSigner(
  options: AgentCsrSignerOptions,
): Promise<{ stop(): Promise<void> }> {
  const { client, ca } = options;
  const logger = (options.logger ?? silentLogger()).child({ controller: 'agent-csr' });
  const factory = new InformerFactory({ client, logger });
  const csrs = factory.informer(resources.certificatesigningrequests);
  const clusters = factory.informer<Cluster>(resources.clusters);
  const key = (csr: KubeObject) => ({ name: csr.metadata.name ?? '' });

  const reconcile = async (name: string) => {
    const csr = csrs.store.get(name);
    if (!csr || csr.status?.certificate || has(csr, 'Denied') || has(csr, 'Failed')) return;
    let parsed: ParsedCertificateRequest;
    try {
      parsed = await parseCertificateRequest(Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8'));
    } catch {
      if (csr.spec?.signerName !== AGENT_SIGNER) return;
      await writeStatus(client, resources.certificatesigningrequests, key(csr), (fresh) => ({
        ...fresh,
        status: {
          ...(fresh.status ?? {}),
          conditions: setCondition(
            fresh.status?.conditions,
            condition('Failed', 'InvalidRequest', 'spec.request is not a PEM certificate request'),
          ),
        },
      }));
      return;
    }
    if (!has(csr, 'Approved')) {
      const verdict = reviewAgentCsr(csr, parsed, (c) => clusters.store.get(c)?.spec.syncMode);
      if ('ignore' in verdict) return;
      const cond =
        'approve' in verdict
          ? condition('Approved', 'AutoApproved', 'Auto approving agent certificate')
          : condition('Denied', 'AgentCSRDenied', verdict.deny);
      logger.info({ csr: name, user: csr.spec?.username, verdict }, 'agent CSR reviewed');
      await writeStatus(client, resources.certificatesigningrequests, key(csr), (fresh) => ({
        ...fresh,
        status: { ...(fresh.status ?? {}), conditions: setCondition(fresh.status?.conditions, cond) },
      }));
      return; // signed on the update this write causes
    }
    if (csr.spec?.signerName !== AGENT_SIGNER) return;
    const agent =
      parsed.commonName.startsWith(AGENT_USER_PREFIX) && parsed.organizations.join() === AGENTS_GROUP;
    if (!agent) {
      await writeStatus(client, resources.certificatesigningrequests, key(csr), (fresh) => ({
        ...fresh,
        status: {
          ...(fresh.status ?? {}),
          conditions: setCondition(
            fresh.status?.conditions,
            condition(
              'Failed',
              'SignerValidationFailure',
              'the flotilla signer only issues agent certificates',
            ),
          ),
        },
      }));
      return;
    }
    const seconds = typeof csr.spec?.expirationSeconds === 'number' ? csr.spec.expirationSeconds : undefined;
    const validDays = Math.min(
      DEFAULT_VALID_DAYS,
      seconds === undefined ? DEFAULT_VALID_DAYS : seconds / 86_400,
    );
    const cert = await signClientCertificate({
      ca,
      publicKey: parsed.publicKey,
      commonName: parsed.commonName,
      organizations: parsed.organizations,
      validDays,
    });
    await writeStatus(client, resources.certificatesigningrequests, key(csr), (fresh) =>
      fresh.status?.certificate
        ? undefined
        : {
            ...fresh,
            status: { ...(fresh.status ?? {}), certificate: Buffer.from(cert).toString('base64') },
          },
    );
    logger.info({ csr: name, user: parsed.commonName }, 'agent certificate issued');
  };

  const controller = new Controller({
    name: 'agent-csr',
    reconcile,
    workers: 2,
    informers: [csrs, clusters],
    logger,
  });
  controller.watch(csrs);
  factory.start();
  try {
    await controller.start();
  } catch (err) {
    await factory.stop();
    throw err;
  }
  return {
    async stop() {
      await controller.stop();
      await factory.stop();
    },
  };
}
