/**
 * Field numbers of `k8s.io/api/certificates/v1` CertificateSigningRequest (what `kubectl
 * certificate approve|deny` PUTs to the `approval` subresource), from its `generated.proto`.
 * `spec.extra` (map of ExtraValue) is left out: clients never send it, the server derives it.
 */
import type { MessageTable } from './schema-types.ts';

/** certificates.k8s.io/v1 messages. */
export const CERTIFICATES: MessageTable = {
  CertificateSigningRequest: {
    1: 'metadata ObjectMeta',
    2: 'spec CertificateSigningRequestSpec',
    3: 'status CertificateSigningRequestStatus',
  },
  CertificateSigningRequestSpec: {
    1: 'request bytes',
    2: 'username string',
    3: 'uid string',
    4: 'groups string[]',
    5: 'usages string[]',
    7: 'signerName string',
    8: 'expirationSeconds? int32',
  },
  CertificateSigningRequestStatus: {
    1: 'conditions CertificateSigningRequestCondition[]',
    2: 'certificate bytes',
  },
  CertificateSigningRequestCondition: {
    1: 'type! string',
    6: 'status! string',
    2: 'reason string',
    3: 'message string',
    4: 'lastUpdateTime Time',
    5: 'lastTransitionTime Time',
  },
};
