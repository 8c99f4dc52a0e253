/** Test fixtures for the scheduler: clusters and binding specs in a line each. */
import type { Cluster, Placement, ResourceBindingSpec, Taint, TargetCluster } from '../api/karmada/types.ts';

/** Options for {@link testCluster}. */
export interface TestClusterOptions {
  labels?: Record<string, string>;
  provider?: string;
  region?: string;
  zones?: string[];
  taints?: Taint[];
  /** Pods free; with `cpu`, per-resource capacity (no resourceSummary when both absent). */
  pods?: number;
  cpu?: string;
  /** APIs enabled; default apps/v1 Deployment and v1 ConfigMap, with CompleteAPIEnablements True. */
  apis?: { groupVersion: string; kinds: string[] }[];
  complete?: boolean;
  deleting?: boolean;
}

/** A Cluster object as the cluster status controller would leave it. */
export function testCluster(name: string, o: TestClusterOptions = {}): Cluster {
  const apis = o.apis ?? [
    { groupVersion: 'apps/v1', kinds: ['Deployment'] },
    { groupVersion: 'v1', kinds: ['ConfigMap'] },
  ];
  const summary =
    o.pods !== undefined || o.cpu !== undefined
      ? {
          allocatable: { pods: String(o.pods ?? 110), ...(o.cpu ? { cpu: o.cpu } : {}) },
          allocated: {},
          allocating: {},
        }
      : undefined;
  return {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: {
      name,
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      syncMode: 'Push',
      ...(o.provider ? { provider: o.provider } : {}),
      ...(o.region ? { region: o.region } : {}),
      ...(o.zones ? { zones: o.zones } : {}),
      ...(o.taints ? { taints: o.taints } : {}),
    },
    status: {
      apiEnablements: apis.map((a) => ({
        groupVersion: a.groupVersion,
        resources: a.kinds.map((k) => ({ name: `${k.toLowerCase()}s`, kind: k })),
      })),
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ClusterReady',
          message: '',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
        ...(o.complete === false
          ? []
          : [
              {
                type: 'CompleteAPIEnablements',
                status: 'True',
                reason: 'Complete',
                message: '',
                lastTransitionTime: '2026-01-01T00:00:00Z',
              },
            ]),
      ],
      ...(summary ? { resourceSummary: summary } : {}),
    },
  } as Cluster;
}

/** A Deployment binding spec with `replicas` and `placement`. */
export function testSpec(
  replicas: number,
  placement: Placement | undefined,
  extra: Partial<ResourceBindingSpec> & { uid?: string; clusters?: TargetCluster[] } = {},
): ResourceBindingSpec {
  const { uid, ...rest } = extra;
  return {
    resource: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      ...(uid ? { uid } : {}),
    },
    replicas,
    ...(placement ? { placement } : {}),
    ...rest,
  };
}

/** `{name: replicas}` of a result, for compact assertions. */
export function asMap(targets: readonly TargetCluster[]): Record<string, number> {
  return Object.fromEntries(targets.map((t) => [t.name, t.replicas ?? 0]));
}
