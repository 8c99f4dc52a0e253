/**
 * Authentication and authorization of the control plane's API server, in one call: static
 * tokens and bootstrap tokens (bearer), agent client certificates signed by the CA, the
 * authorizer that confines agents and bootstrap users to Karmada's permission tables, and the
 * CertificateSigningRequest kind agents register through.
 */
import type { Storage } from '../../storage/types.ts';
import type { ApiServerOptions, TokenAuthenticator } from '../types.ts';
import { controlPlaneAuthorizer } from './authorizer.ts';
import { withBootstrapTokens } from './bootstrap-token.ts';
import { csrServing } from './csr.ts';

export { agentRules, allowedBy, controlPlaneAuthorizer } from './authorizer.ts';
export { bootstrapUser, withBootstrapTokens } from './bootstrap-token.ts';
export { csrRequester, csrServing, serveApproval } from './csr.ts';

/** Options for {@link controlPlaneAuth}. */
export interface ControlPlaneAuthOptions {
  storage: Storage;
  /** The static token file's authenticator. */
  tokens: TokenAuthenticator;
  /** PEM CA whose client certificates are accepted (the state directory's CA). */
  clientCa: string;
}

/** The API server options that make a server a control plane agents can register with. */
export function controlPlaneAuth(options: ControlPlaneAuthOptions): Required<
  Pick<
    ApiServerOptions,
    'authenticate' | 'authorize' | 'extraResources' | 'admission' | 'subresourceHandlers'
  >
> & {
  clientCa: string;
} {
  const csr = csrServing();
  return {
    authenticate: withBootstrapTokens(options.storage, options.tokens),
    authorize: controlPlaneAuthorizer(),
    clientCa: options.clientCa,
    extraResources: csr.resources,
    admission: csr.admission,
    subresourceHandlers: csr.subresourceHandlers,
  };
}
