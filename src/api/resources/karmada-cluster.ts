/** cluster.karmada.io/v1alpha1 Cluster: the aggregated apiserver's table, defaults and validation. */
import type { KubeObject, StatusCause } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { defineResource } from './define.ts';
import { ageColumn, ageOf, column, nameColumn, wide } from './table-util.ts';
import { invalid, notSupported, required } from './validation.ts';

// biome-ignore lint/suspicious/noExplicitAny: cluster specs are open JSON
type Obj = Record<string, any>;

const MAX_INT64 = '9223372036854775807';
const CPU = ['0', '1', '2', '4', '8', '16', '32', '64', '128', MAX_INT64];
const MEMORY = ['0', '4Gi', '16Gi', '32Gi', '64Gi', '128Gi', '256Gi', '512Gi', '1Ti', MAX_INT64];

/** Karmada's default resource models: grades 0–8 over cpu and memory, the last grade unbounded. */
export function defaultResourceModels(): Obj[] {
  return Array.from({ length: 9 }, (_, grade) => ({
    grade,
    ranges: [
      { name: 'cpu', min: CPU[grade], max: CPU[grade + 1] },
      { name: 'memory', min: MEMORY[grade], max: MEMORY[grade + 1] },
    ],
  }));
}

function defaultCluster(obj: KubeObject): void {
  obj.spec ??= {};
  const spec: Obj = obj.spec;
  if (!Array.isArray(spec.resourceModels) || spec.resourceModels.length === 0) {
    spec.resourceModels = defaultResourceModels();
  } else {
    const models = [...spec.resourceModels].sort((a: Obj, b: Obj) => (a.grade ?? 0) - (b.grade ?? 0));
    for (const r of models[0]?.ranges ?? []) r.min = '0';
    for (const r of models[models.length - 1]?.ranges ?? []) r.max = MAX_INT64;
    spec.resourceModels = models;
  }
  if (spec.zone && (!Array.isArray(spec.zones) || spec.zones.length === 0)) spec.zones = [spec.zone];
  for (const t of Array.isArray(spec.taints) ? spec.taints : []) {
    if (t?.effect === 'NoExecute' && !t.timeAdded)
      t.timeAdded = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

function validateCluster(obj: KubeObject): StatusCause[] {
  const spec: Obj = obj.spec ?? {};
  const out: StatusCause[] = [];
  if (!spec.syncMode) out.push(required('spec.syncMode'));
  else if (!['Push', 'Pull'].includes(spec.syncMode))
    out.push(notSupported('spec.syncMode', spec.syncMode, ['Push', 'Pull']));
  if (spec.apiEndpoint) {
    try {
      new URL(spec.apiEndpoint);
    } catch {
      out.push(invalid('spec.apiEndpoint', spec.apiEndpoint, 'url is invalid'));
    }
  }
  (Array.isArray(spec.taints) ? spec.taints : []).forEach((t: Obj, i: number) => {
    if (!t?.key) out.push(required(`spec.taints[${i}].key`));
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t?.effect)) {
      out.push(
        notSupported(`spec.taints[${i}].effect`, t?.effect ?? '', [
          'NoExecute',
          'NoSchedule',
          'PreferNoSchedule',
        ]),
      );
    }
  });
  return out;
}

function orNone(v: unknown): string {
  return typeof v === 'string' && v !== '' ? v : '<none>';
}

/** The Cluster resource (cluster-scoped, status subresource, `proxy`): `NAME VERSION MODE READY AGE` + wide. */
export function clusterResource(): ResourceDef {
  return defineResource({
    group: 'cluster.karmada.io',
    versions: ['v1alpha1'],
    kind: 'Cluster',
    plural: 'clusters',
    namespaced: false,
    subresources: { status: true },
    extraSubresources: ['proxy'],
    table: {
      columns: [
        nameColumn(),
        column('Version', 'string', 'KubernetesVersion represents version of the member cluster.'),
        column(
          'Mode',
          'string',
          'SyncMode describes how a cluster sync resources from karmada control plane.',
        ),
        column('Ready', 'string', 'The aggregate readiness state of this cluster for accepting workloads.'),
        ageColumn(),
        wide(
          'Zones',
          'Zones represents the failure zones(also called availability zones) of the member cluster.',
        ),
        wide('Region', 'Region represents the region of the member cluster locate in.'),
        wide('Provider', 'Provider represents the cloud provider name of the member cluster.'),
        wide('API-Endpoint', 'The API endpoint of the member cluster.'),
        wide('Proxy-URL', 'ProxyURL is the proxy URL for the cluster.'),
      ],
      cells(c, now) {
        const ready = (c.status?.conditions ?? []).find((x: Obj) => x.type === 'Ready');
        const zones: string[] = c.spec?.zones ?? [];
        return [
          c.metadata.name ?? '',
          c.status?.kubernetesVersion ?? '',
          c.spec?.syncMode ?? '',
          ready?.status ?? 'Unknown',
          ageOf(c, now),
          zones.length > 0 ? zones.join(',') : '<none>',
          orNone(c.spec?.region),
          orNone(c.spec?.provider),
          c.spec?.apiEndpoint ?? '',
          orNone(c.spec?.proxyURL),
        ];
      },
    },
    defaulting: defaultCluster,
    validate: (obj, ctx) => (ctx.status ? [] : validateCluster(obj)),
  });
}
