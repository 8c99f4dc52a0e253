/** apiextensions.k8s.io/v1 CustomResourceDefinition. */
import type { KubeObject } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { validateCRD } from './crd.ts';
import { defineResource } from './define.ts';
import { conditionedSchema } from './patch-schemas.ts';
import { AGE_DESCRIPTION, column, nameColumn } from './table-util.ts';

/** `Created At` as the generic table convertor prints it: RFC 3339 UTC, seconds precision. */
export function createdAt(obj: KubeObject): string {
  const t = obj.metadata.creationTimestamp;
  if (!t || Number.isNaN(Date.parse(t))) return '';
  return new Date(Date.parse(t)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function defaultCRD(obj: KubeObject): void {
  obj.spec ??= {};
  obj.spec.names ??= {};
  const names = obj.spec.names;
  if (names.kind) {
    names.listKind ??= `${names.kind}List`;
    names.singular ??= String(names.kind).toLowerCase();
  }
  obj.spec.conversion ??= { strategy: 'None' };
  for (const v of Array.isArray(obj.spec.versions) ? obj.spec.versions : []) {
    if (v && typeof v === 'object') v.served ??= true;
  }
  // The real server's establishing controllers accept names at once; Flotilla has no naming conflicts to wait for.
  if (obj.status === undefined) {
    const storage = (obj.spec.versions ?? []).find((v: { storage?: boolean }) => v?.storage)?.name;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    obj.status = {
      acceptedNames: { ...names },
      storedVersions: storage ? [storage] : [],
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: now,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: now,
        },
      ],
    };
  }
}

/** The CustomResourceDefinition resource (`crd`, `crds`, cluster-scoped): `Name Created At`. */
export function crdResource(): ResourceDef {
  return defineResource({
    group: 'apiextensions.k8s.io',
    versions: ['v1'],
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: { status: true },
    table: {
      columns: [nameColumn(), column('Created At', 'date', AGE_DESCRIPTION)],
      cells: (crd) => [crd.metadata.name ?? '', createdAt(crd)],
    },
    patchSchema: conditionedSchema,
    defaulting: defaultCRD,
    validate: (obj, ctx) => (ctx.status ? [] : validateCRD(obj)),
  });
}
