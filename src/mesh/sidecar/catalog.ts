/**
 * The process runtime's image-catalog entry for the sidecar: Istio's proxy image
 * (`…/istio/proxyv2:<tag>`) runs Flotilla's sidecar program (`main.ts`) on the cluster's Node,
 * with the mesh endpoint and its token baked in as the image's environment — like a discovery
 * address compiled into an image, it never appears in the pod spec.
 */
import path from 'node:path';
import type { CatalogEntry } from '../../runtime/process/catalog.ts';

/** The sidecar program, run by `node` for every injected `istio-proxy` container. */
export const SIDECAR_MAIN = path.join(import.meta.dirname, 'main.ts');

/** Where the sidecars reach the mesh controller. */
export interface MeshEndpoint {
  url: string;
  token: string;
}

/** The catalog entry mapping Istio's proxy image to the sidecar program; `nodePath` defaults to this Node. */
export function sidecarCatalogEntry(mesh: MeshEndpoint, nodePath = process.execPath): CatalogEntry {
  return {
    match: '/(^|/)istio/proxyv2([:@]|$)/',
    command: [nodePath, '--disable-warning=ExperimentalWarning', SIDECAR_MAIN],
    env: { FLOTILLA_MESH_URL: mesh.url, FLOTILLA_MESH_TOKEN: mesh.token },
    workingDir: path.resolve(import.meta.dirname, '..', '..', '..'),
  };
}
