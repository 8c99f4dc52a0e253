/**
 * The PKI of a Flotilla state directory: one CA and the API server's serving certificate.
 * `ensurePki` creates what is missing, reuses what is valid, and replaces what is expiring or no
 * longer covers the requested hosts, so every start leaves a certificate kubectl will accept.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { type CertAndKey, createCa, issueServingCert } from './certs.ts';

export type { CertAndKey } from './certs.ts';
export { createCa, issueServingCert } from './certs.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Hosts every serving certificate covers, besides those asked for. */
export const DEFAULT_SERVING_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

/** Options for {@link ensurePki}. */
export interface EnsurePkiOptions {
  /** Extra DNS names or IPs for the serving certificate. */
  hosts?: readonly string[];
  /** CA lifetime; default 10 years. */
  caValidDays?: number;
  /** Serving certificate lifetime; default 1 year. */
  servingValidDays?: number;
  /** A certificate expiring within this many days is replaced; default 30. */
  renewWithinDays?: number;
  /** The clock, for tests. */
  now?: Date;
}

/** The PEM material and file paths `ensurePki` leaves behind. */
export interface PkiMaterial {
  /** PEM of the CA certificate: what clients trust. */
  caCert: string;
  /** The API server's serving certificate and key. */
  serving: CertAndKey;
  paths: { caCert: string; caKey: string; servingCert: string; servingKey: string };
  /** What this call created (false: reused from disk). */
  created: { ca: boolean; serving: boolean };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes through a temporary file and rename, so a crash never leaves half a PEM. */
async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}

function parseCert(pem: string | undefined): X509Certificate | undefined {
  if (pem === undefined) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function keyMatches(cert: X509Certificate, keyPem: string | undefined): boolean {
  if (keyPem === undefined) return false;
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function fresh(cert: X509Certificate, now: Date, renewWithinDays: number): boolean {
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  return from <= now.getTime() + 60 * 60 * 1000 && to > now.getTime() + renewWithinDays * DAY_MS;
}

/** True when the certificate's subjectAltName names every host. */
export function coversHosts(cert: X509Certificate, hosts: readonly string[]): boolean {
  return hosts.every((host) =>
    isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host, { wildcards: false }) !== undefined,
  );
}

/**
 * Makes sure `dir` holds a valid CA (`ca.crt`, `ca.key`) and API server certificate
 * (`apiserver.crt`, `apiserver.key`) for 127.0.0.1, ::1, localhost and `options.hosts`; creates
 * the directory (0700) and keys (0600) as needed. Called once per start, before serving.
 */
export async function ensurePki(dir: string, options: EnsurePkiOptions = {}): Promise<PkiMaterial> {
  const now = options.now ?? new Date();
  const renewWithinDays = options.renewWithinDays ?? 30;
  const hosts = [...new Set([...DEFAULT_SERVING_HOSTS, ...(options.hosts ?? [])])];
  const paths = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
  };
  await mkdir(dir, { recursive: true, mode: 0o700 });

  let ca: CertAndKey | undefined;
  const caPem = await readOptional(paths.caCert);
  const caKeyPem = await readOptional(paths.caKey);
  const caX509 = parseCert(caPem);
  if (
    caPem &&
    caKeyPem &&
    caX509?.ca &&
    keyMatches(caX509, caKeyPem) &&
    fresh(caX509, now, renewWithinDays)
  ) {
    ca = { cert: caPem, key: caKeyPem };
  }
  const createdCa = ca === undefined;
  if (ca === undefined) {
    ca = await createCa({ commonName: 'flotilla-ca', validDays: options.caValidDays ?? 3650, now });
    await writeAtomic(paths.caKey, ca.key, 0o600);
    await writeAtomic(paths.caCert, ca.cert, 0o644);
  }

  let serving: CertAndKey | undefined;
  const servingPem = await readOptional(paths.servingCert);
  const servingKeyPem = await readOptional(paths.servingKey);
  const servingX509 = parseCert(servingPem);
  const caX509Now = new X509Certificate(ca.cert);
  if (!createdCa && servingPem && servingKeyPem && servingX509) {
    const valid =
      servingX509.verify(caX509Now.publicKey) &&
      keyMatches(servingX509, servingKeyPem) &&
      fresh(servingX509, now, renewWithinDays) &&
      coversHosts(servingX509, hosts);
    if (valid) serving = { cert: servingPem, key: servingKeyPem };
  }
  const createdServing = serving === undefined;
  if (serving === undefined) {
    serving = await issueServingCert({
      ca,
      commonName: 'flotilla-apiserver',
      hosts,
      validDays: options.servingValidDays ?? 365,
      now,
    });
    await writeAtomic(paths.servingKey, serving.key, 0o600);
    await writeAtomic(paths.servingCert, serving.cert, 0o644);
  }

  return { caCert: ca.cert, serving, paths, created: { ca: createdCa, serving: createdServing } };
}
export {
  type ClientIdentity,
  caCertHash,
  clientCertValid,
  createCertificateRequest,
  issueClientCert,
  type ParsedCertificateRequest,
  parseCertificateRequest,
  signClientCertificate,
} from './client-certs.ts';
