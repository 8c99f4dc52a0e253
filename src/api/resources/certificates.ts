/**
 * certificates.k8s.io/v1 CertificateSigningRequest: how a pull-mode agent obtains its client
 * certificate (cluster-scoped, `status` and `approval` subresources). The control plane serves
 * it with an admission plugin that records the requester (`spec.username`, `spec.groups`).
 */
import type { KubeObject, StatusCause } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { defineResource } from './define.ts';
import { ageColumn, ageOf, column, nameColumn } from './table-util.ts';
import { notSupported, required } from './validation.ts';

/** Key usages a CSR may ask for (Kubernetes' list). */
export const KEY_USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
] as const;

/** `Approved,Issued`, `Denied`, `Pending`…: the CONDITION column. */
export function csrCondition(csr: KubeObject): string {
  const conds: { type: string; status?: string }[] = csr.status?.conditions ?? [];
  const names = conds.filter((c) => c.status !== 'False').map((c) => c.type);
  if (csr.status?.certificate) names.push('Issued');
  return names.length === 0 ? 'Pending' : names.join(',');
}

function validateCsr(obj: KubeObject): StatusCause[] {
  const spec = obj.spec ?? {};
  const out: StatusCause[] = [];
  if (typeof spec.request !== 'string' || spec.request === '') out.push(required('spec.request'));
  if (typeof spec.signerName !== 'string' || spec.signerName === '') out.push(required('spec.signerName'));
  if (!Array.isArray(spec.usages) || spec.usages.length === 0) out.push(required('spec.usages'));
  else
    spec.usages.forEach((u: unknown, i: number) => {
      if (!(KEY_USAGES as readonly unknown[]).includes(u))
        out.push(notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    });
  return out;
}

/** The CertificateSigningRequest resource: `NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION`. */
export function certificateSigningRequestResource(): ResourceDef {
  return defineResource({
    group: 'certificates.k8s.io',
    versions: ['v1'],
    kind: 'CertificateSigningRequest',
    plural: 'certificatesigningrequests',
    namespaced: false,
    shortNames: ['csr'],
    subresources: { status: true },
    extraSubresources: ['approval'],
    table: {
      columns: [
        nameColumn(),
        ageColumn(),
        column('SignerName', 'string', 'Name of the signer the request is for'),
        column('Requestor', 'string', 'Name of the user who created the request'),
        column('RequestedDuration', 'string', 'Requested validity of the certificate'),
        column('Condition', 'string', 'Approved, Denied, Failed, Issued or Pending'),
      ],
      cells: (c, now) => [
        c.metadata.name ?? '',
        ageOf(c, now),
        c.spec?.signerName ?? '',
        c.spec?.username ?? '',
        typeof c.spec?.expirationSeconds === 'number'
          ? `${Math.round(c.spec.expirationSeconds / 3600)}h`
          : '<none>',
        csrCondition(c),
      ],
    },
    validate: (obj, ctx) => (ctx.status ? [] : validateCsr(obj)),
  });
}
