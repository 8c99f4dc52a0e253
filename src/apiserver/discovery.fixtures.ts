/**
 * Small ResourceDef literals shared by the discovery and OpenAPI tests (core Pod/Namespace,
 * apps Deployment, a three-version custom kind and a cluster-scoped custom kind). Test-only.
 */
import type { ResourceDef } from '../api/resource-def.ts';

/** A minimal ResourceDef literal; only the discovery-relevant fields matter. */
export function fixtureDef(
  d: Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'versions' | 'kind'>,
): ResourceDef {
  const plural = d.plural ?? `${d.kind.toLowerCase()}s`;
  return {
    listKind: `${d.kind}List`,
    plural,
    singular: d.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced: true,
    subresources: {},
    table: { columns: [], cells: () => [] },
    fieldSelectors: {},
    ...d,
  };
}

/** Five kinds covering core, built-in group, multi-version and cluster-scoped custom kinds. */
export const FIXTURE_DEFS: ResourceDef[] = [
  fixtureDef({
    group: '',
    versions: ['v1'],
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    subresources: { status: true },
    extraSubresources: ['log'],
  }),
  fixtureDef({ group: '', versions: ['v1'], kind: 'Namespace', namespaced: false, shortNames: ['ns'] }),
  fixtureDef({
    group: 'apps',
    versions: ['v1'],
    kind: 'Deployment',
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: {
      status: true,
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
    },
  }),
  fixtureDef({
    group: 'networking.istio.io',
    versions: ['v1', 'v1beta1', 'v1alpha3'],
    kind: 'VirtualService',
    shortNames: ['vs'],
    fromCRD: 'virtualservices.networking.istio.io',
  }),
  fixtureDef({
    group: 'policy.karmada.io',
    versions: ['v1alpha1'],
    kind: 'ClusterPropagationPolicy',
    plural: 'clusterpropagationpolicies',
    namespaced: false,
    shortNames: ['cpp'],
  }),
];
