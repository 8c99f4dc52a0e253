/** discovery.k8s.io/v1 EndpointSlice. */
import type { ResourceDef } from '../resource-def.ts';
import { defineResource } from './define.ts';
import { metadataOnlySchema } from './patch-schemas.ts';
import { ageColumn, ageOf, column, nameColumn } from './table-util.ts';
import { notSupported, required } from './validation.ts';

function listWithMore(list: string[], count: number): string {
  if (count > 3) return `${list.join(',')} + ${count - 3} more...`;
  return list.length === 0 ? '<unset>' : list.join(',');
}

/** The Ports cell: port numbers (or names, or `*`), at most three. */
export function formatSlicePorts(
  ports: { port?: number | null; name?: string | null }[] | undefined,
): string {
  const all = (ports ?? []).map((p) => (typeof p.port === 'number' ? String(p.port) : (p.name ?? '*')));
  return listWithMore(all.slice(0, 3), all.length);
}

/** The Endpoints cell: addresses of all endpoints, at most three. */
export function formatSliceEndpoints(endpoints: { addresses?: string[] }[] | undefined): string {
  const all = (endpoints ?? []).flatMap((e) => e.addresses ?? []);
  return listWithMore(all.slice(0, 3), all.length);
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;

/** The EndpointSlice resource: `Name AddressType Ports Endpoints Age`. */
export function endpointSliceResource(): ResourceDef {
  return defineResource({
    group: 'discovery.k8s.io',
    versions: ['v1'],
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
    table: {
      columns: [
        nameColumn(),
        column('AddressType', 'string', 'The IP protocol for this slice'),
        column('Ports', 'string', 'The ports contained in this slice'),
        column('Endpoints', 'string', 'The endpoints contained in this slice'),
        ageColumn(),
      ],
      cells: (s, now) => [
        s.metadata.name ?? '',
        s.addressType ?? '',
        formatSlicePorts(s.ports),
        formatSliceEndpoints(s.endpoints),
        ageOf(s, now),
      ],
    },
    patchSchema: metadataOnlySchema,
    validate(obj) {
      if (!obj.addressType) return [required('addressType')];
      if (!ADDRESS_TYPES.includes(obj.addressType))
        return [notSupported('addressType', obj.addressType, ADDRESS_TYPES)];
      return [];
    },
  });
}
