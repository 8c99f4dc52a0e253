/**
 * Certificate generation on `@peculiar/x509` over Node's WebCrypto: a self-signed CA and serving
 * certificates signed by it, all ECDSA P-256 / SHA-256 (accepted by Node's TLS, Go's crypto/tls and
 * so by kubectl). Keys leave this module as PKCS#8 PEM; certificates as PEM.
 */
import './reflect-shim.ts';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A PEM certificate with its PEM (PKCS#8) private key. */
export interface CertAndKey {
  cert: string;
  key: string;
}

/** Options for {@link createCa}. */
export interface CreateCaOptions {
  commonName: string;
  validDays: number;
  now?: Date;
}

/** Options for {@link issueServingCert}. */
export interface IssueServingCertOptions {
  ca: CertAndKey;
  commonName: string;
  /** DNS names and IP addresses (v4 or v6) for the subjectAltName extension. */
  hosts: readonly string[];
  validDays: number;
  now?: Date;
}

/** A positive 128-bit serial number in hex (the top bit cleared so DER keeps it positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** Valid from one hour ago, tolerating small clock skew between processes and machines. */
function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return {
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return crypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

/** Creates a self-signed CA certificate and key, usable only to sign certificates. */
export async function createCa(options: CreateCaOptions): Promise<CertAndKey> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${options.commonName}`,
    ...validity(options.now ?? new Date(), options.validDays),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}

/** Issues a TLS server certificate for `hosts`, signed by `ca`. */
export async function issueServingCert(options: IssueServingCertOptions): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(options.ca.cert);
  const caKey = await importKeyPem(options.ca.key);
  const keys = await generateKeys();
  const names = options.hosts.map((host) => ({
    type: isIP(host) ? ('ip' as const) : ('dns' as const),
    value: host,
  }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${options.commonName}`,
    issuer: caCert.subject,
    ...validity(options.now ?? new Date(), options.validDays),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}
