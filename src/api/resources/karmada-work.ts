/** work.karmada.io: ResourceBinding, ClusterResourceBinding (v1alpha2) and Work (v1alpha1). */
import type { ResourceDef } from '../resource-def.ts';
import { type PrinterColumn, printerColumnsTable } from './crd.ts';
import { defineResource } from './define.ts';
import { AGE_DESCRIPTION } from './table-util.ts';

const AGE: PrinterColumn = {
  name: 'AGE',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: AGE_DESCRIPTION,
};

const BINDING_COLUMNS: PrinterColumn[] = [
  { name: 'SCHEDULED', type: 'string', jsonPath: '.status.conditions[?(@.type=="Scheduled")].status' },
  { name: 'FULLYAPPLIED', type: 'string', jsonPath: '.status.conditions[?(@.type=="FullyApplied")].status' },
  AGE,
];

const WORK_COLUMNS: PrinterColumn[] = [
  { name: 'WORKLOAD-KIND', type: 'string', jsonPath: '.spec.workload.manifests[*].kind' },
  { name: 'APPLIED', type: 'string', jsonPath: '.status.conditions[?(@.type=="Applied")].status' },
  AGE,
];

function binding(cluster: boolean): ResourceDef {
  return defineResource({
    group: 'work.karmada.io',
    versions: ['v1alpha2', 'v1alpha1'],
    kind: cluster ? 'ClusterResourceBinding' : 'ResourceBinding',
    plural: cluster ? 'clusterresourcebindings' : 'resourcebindings',
    namespaced: !cluster,
    shortNames: [cluster ? 'crb' : 'rb'],
    categories: ['karmada-io'],
    subresources: { status: true },
    table: printerColumnsTable(BINDING_COLUMNS),
  });
}

/** The ResourceBinding resource (`rb`, status): `Name SCHEDULED FULLYAPPLIED AGE`. */
export function resourceBindingResource(): ResourceDef {
  return binding(false);
}

/** The ClusterResourceBinding resource (`crb`, cluster-scoped, status). */
export function clusterResourceBindingResource(): ResourceDef {
  return binding(true);
}

/** The Work resource (`wk`, status): `Name WORKLOAD-KIND APPLIED AGE`. */
export function workResource(): ResourceDef {
  return defineResource({
    group: 'work.karmada.io',
    versions: ['v1alpha1'],
    kind: 'Work',
    plural: 'works',
    namespaced: true,
    shortNames: ['wk'],
    categories: ['karmada-io'],
    subresources: { status: true },
    table: printerColumnsTable(WORK_COLUMNS),
  });
}
