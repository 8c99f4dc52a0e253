/**
 * The objects the propagation benchmarks apply: a one-replica Deployment per name and a
 * PropagationPolicy sending it to named clusters (shared by the push and pull benches).
 */

/** A one-replica Deployment named `name` in `default`. */
export function deployment(name: string) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'example.com/bench:1' }] },
      },
    },
  };
}

/** A PropagationPolicy placing Deployment `name` on `clusters`. */
export function policy(name: string, clusters: string[]) {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name, namespace: 'default' },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }],
      placement: { clusterAffinity: { clusterNames: clusters } },
    },
  };
}
