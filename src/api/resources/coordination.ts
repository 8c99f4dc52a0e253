/** coordination.k8s.io/v1 Lease. */
import type { ResourceDef } from '../resource-def.ts';
import { defineResource } from './define.ts';
import { metadataOnlySchema } from './patch-schemas.ts';
import { ageColumn, ageOf, column, nameColumn } from './table-util.ts';

/** The Lease resource: `Name Holder Age`. */
export function leaseResource(): ResourceDef {
  return defineResource({
    group: 'coordination.k8s.io',
    versions: ['v1'],
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
    table: {
      columns: [nameColumn(), column('Holder', 'string', 'Name of the Lease holder'), ageColumn()],
      cells: (l, now) => [l.metadata.name ?? '', l.spec?.holderIdentity ?? '', ageOf(l, now)],
    },
    patchSchema: metadataOnlySchema,
  });
}
