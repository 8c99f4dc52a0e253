/**
 * Serving CertificateSigningRequests as kube-apiserver does: an admission plugin records who
 * asked (`spec.username`, `spec.uid`, `spec.groups`, overwriting what the client sent) and keeps
 * the spec immutable afterwards, and the `approval` subresource (`kubectl certificate
 * approve|deny`) changes only the Approved/Denied conditions. Signing is the control plane's
 * signer's business (`controlplane/agent-csr.ts`).
 */
import { errors } from '../../api/errors.ts';
import type { ResourceDef } from '../../api/resource-def.ts';
import { certificateSigningRequestResource } from '../../api/resources/certificates.ts';
import type { AdmissionPlugin } from '../admission/index.ts';
import type { RequestContext, SubresourceHandler } from '../context.ts';
import { decodeBody, readBody, sendJson } from '../http-util.ts';

/** The kinds, admission and subresource handlers that make CSRs work on a server. */
export interface CsrServing {
  resources: ResourceDef[];
  admission: AdmissionPlugin[];
  subresourceHandlers: Record<string, SubresourceHandler>;
}

const isCsr = (def: ResourceDef) =>
  def.group === 'certificates.k8s.io' && def.plural === 'certificatesigningrequests';

/** Stamps the requester on create; keeps `spec` as created on every update. */
export const csrRequester: AdmissionPlugin = {
  name: 'CertificateSigningRequestRequester',
  admit(req) {
    if (!isCsr(req.def)) return;
    if (req.operation === 'CREATE') {
      const user = req.user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] };
      req.object.spec = {
        ...(req.object.spec ?? {}),
        username: user.name,
        uid: user.name,
        groups: [...user.groups],
      };
    } else if (req.operation === 'UPDATE' && req.old) {
      req.object.spec = structuredClone(req.old.spec);
    }
  },
};

/** `PUT certificatesigningrequests/{name}/approval`: takes the body's Approved/Denied conditions. */
export async function serveApproval(ctx: RequestContext): Promise<void> {
  const { req, info, def, server } = ctx;
  if (req.method !== 'PUT') throw errors.methodNotAllowed('the approval subresource only accepts PUT');
  const body = decodeBody(await readBody(req, server.maxBodyBytes), req.headers['content-type']) as {
    status?: { conditions?: { type?: unknown }[] };
  };
  const wanted = (body?.status?.conditions ?? []).filter(
    (c) => c?.type === 'Approved' || c?.type === 'Denied',
  );
  if (wanted.some((c) => c.type === 'Approved') && wanted.some((c) => c.type === 'Denied')) {
    throw errors.invalid('CertificateSigningRequest', 'certificates.k8s.io', info.name, [
      {
        reason: 'FieldValueInvalid',
        message: 'Approved and Denied conditions are mutually exclusive',
        field: 'status.conditions',
      },
    ]);
  }
  const updated = await server.registry.guaranteedUpdate(
    def,
    '',
    info.name,
    (csr) => {
      const kept = (csr.status?.conditions ?? []).filter(
        (c: { type: string }) => c.type !== 'Approved' && c.type !== 'Denied',
      );
      csr.status = { ...(csr.status ?? {}), conditions: [...kept, ...wanted] };
      return csr;
    },
    { subresource: 'status', ...(ctx.user ? { user: ctx.user } : {}) },
  );
  sendJson(ctx.res, 200, updated);
}

/** Everything a server needs to serve CSRs. */
export function csrServing(): CsrServing {
  return {
    resources: [certificateSigningRequestResource()],
    admission: [csrRequester],
    subresourceHandlers: { 'certificatesigningrequests/approval': serveApproval },
  };
}
