/**
 * Client certificates for the pull-mode agent, as Kubernetes' CSR flow issues them: an agent
 * makes a PKCS#10 request for `CN=<user>, O=<group>…` with a key it keeps; the control plane
 * checks the request (`parseCertificateRequest`) and signs it with its CA for client
 * authentication only (`signClientCertificate`). `issueClientCert` does both halves at once,
 * for a process that holds the CA itself (`flotilla up`'s in-process agent). ECDSA P-256.
 */
import './reflect-shim.ts';
import { createHash, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertAndKey } from './certs.ts';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** OID of the subjectAltName extension. */
const SAN_OID = '2.5.29.17';

/** Who a client certificate names: the user (CN) and its groups (O). */
export interface ClientIdentity {
  commonName: string;
  organizations: readonly string[];
}

/** What a certificate request says, once parsed and its signature checked. */
export interface ParsedCertificateRequest extends ClientIdentity {
  /** True when the request is signed by the key it carries. */
  signatureValid: boolean;
  /** True when it asks for subject alternative names (DNS, IP, email, URI). */
  hasSubjectAltNames: boolean;
  /** The SPKI of the requested key. */
  publicKey: x509.PublicKey;
}

function subjectOf(id: ClientIdentity): x509.JsonName {
  return [{ CN: [id.commonName] }, ...id.organizations.map((o) => ({ O: [o] }))];
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return crypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

/** A new key and a PEM PKCS#10 request (`CERTIFICATE REQUEST`) for `id`, without SANs. */
export async function createCertificateRequest(id: ClientIdentity): Promise<{ csr: string; key: string }> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectOf(id),
    keys,
    signingAlgorithm: ALGORITHM,
  });
  return { csr: csr.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}

/** Parses a PEM request; throws when it is not one. */
export async function parseCertificateRequest(pem: string): Promise<ParsedCertificateRequest> {
  const req = new x509.Pkcs10CertificateRequest(pem);
  const name = req.subjectName;
  const sans = req.extensions.some((e) => e.type === SAN_OID);
  return {
    commonName: name.getField('CN')[0] ?? '',
    organizations: name.getField('O'),
    signatureValid: await req.verify(),
    hasSubjectAltNames: sans,
    publicKey: req.publicKey,
  };
}

/** Options for {@link signClientCertificate}. */
export interface SignClientOptions extends ClientIdentity {
  ca: CertAndKey;
  publicKey: x509.PublicKey | CryptoKey;
  validDays: number;
  now?: Date;
}

/** Signs a client-authentication certificate (digitalSignature, clientAuth) for `publicKey`. */
export async function signClientCertificate(options: SignClientOptions): Promise<string> {
  const caCert = new x509.X509Certificate(options.ca.cert);
  const now = options.now ?? new Date();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subjectOf(options),
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + options.validDays * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: options.publicKey,
    signingKey: await importKeyPem(options.ca.key),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return cert.toString('pem');
}

/** A new key and a client certificate for `id` signed by `ca` (the CSR flow without the round trip). */
export async function issueClientCert(
  options: ClientIdentity & { ca: CertAndKey; validDays: number; now?: Date },
): Promise<CertAndKey> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await signClientCertificate({ ...options, publicKey: keys.publicKey });
  return { cert, key: await exportKeyPem(keys.privateKey) };
}

/**
 * `sha256:<hex>` of the CA certificate's SubjectPublicKeyInfo: the discovery hash kubeadm and
 * `karmadactl register` check (`--discovery-token-ca-cert-hash`).
 */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** True when `cert` (PEM) names `id`, was signed by `caPem`, and is valid for `minValidMs` more. */
export function clientCertValid(
  cert: string,
  caPem: string,
  id: ClientIdentity,
  minValidMs: number,
): boolean {
  try {
    const x = new X509Certificate(cert);
    const subject = x.subject.split('\n');
    return (
      x.verify(new X509Certificate(caPem).publicKey) &&
      subject.includes(`CN=${id.commonName}`) &&
      id.organizations.every((o) => subject.includes(`O=${o}`)) &&
      new Date(x.validTo).getTime() > Date.now() + minValidMs
    );
  } catch {
    return false;
  }
}
