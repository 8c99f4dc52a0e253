/**
 * The `GET /version` body. kubectl prints `gitVersion` as the server version, and the Google Cloud
 * SDK kubectl dispatcher picks which kubectl binary to run from its minor (kubectl-wire.md §4, §10),
 * so `gitVersion` stays a plain `v1.32.x`: no `+flotilla` suffix, and a minor served in full by
 * aggregated v2 discovery and OpenAPI v3.
 */

/** The Kubernetes `version.Info` object served at `/version`. */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** The Kubernetes release Flotilla's API surface matches. */
export const KUBERNETES_VERSION = 'v1.32.4';

const INFO: VersionInfo = Object.freeze({
  major: '1',
  minor: '32',
  gitVersion: KUBERNETES_VERSION,
  // Flotilla is not built from a Kubernetes tree; a fixed commit keeps clients' version parsing happy.
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
});

/** Returns the `/version` body (a fresh copy): Kubernetes v1.32.4, `compiler: gc`, `platform: linux/amd64`. */
export function versionInfo(): VersionInfo {
  return { ...INFO };
}
