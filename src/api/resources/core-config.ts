/** core/v1 ConfigMap, Secret and ServiceAccount. */
import type { KubeObject, StatusCause } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { defineResource, fieldAt } from './define.ts';
import { metadataOnlySchema, serviceAccountSchema } from './patch-schemas.ts';
import { ageColumn, ageOf, column, nameColumn } from './table-util.ts';
import { invalid, isConfigMapKey, required, tooLong } from './validation.ts';

/** Maximum total size of a ConfigMap's or Secret's data, 1 MiB. */
export const MAX_DATA_SIZE = 1024 * 1024;

function count(m: unknown): number {
  return m !== null && typeof m === 'object' ? Object.keys(m).length : 0;
}

function validateKeys(obj: KubeObject, members: string[]): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  let size = 0;
  for (const member of members) {
    const m = obj[member];
    if (m === undefined || m === null) continue;
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      const field = `${member}[${k}]`;
      for (const msg of isConfigMapKey(k)) out.push(invalid(field, k, msg));
      if (seen.has(k)) out.push(invalid(field, k, `duplicate of key present in ${members[0]}`));
      seen.add(k);
      size += typeof v === 'string' ? v.length : 0;
    }
  }
  if (size > MAX_DATA_SIZE) out.push(tooLong('', MAX_DATA_SIZE));
  return out;
}

/** The ConfigMap resource (`cm`): `Name Data Age`. */
export function configMapResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'ConfigMap',
    plural: 'configmaps',
    namespaced: true,
    shortNames: ['cm'],
    table: {
      columns: [
        nameColumn(),
        column('Data', 'integer', 'Data contains the configuration data.'),
        ageColumn(),
      ],
      cells: (cm, now) => [cm.metadata.name ?? '', count(cm.data) + count(cm.binaryData), ageOf(cm, now)],
    },
    patchSchema: metadataOnlySchema,
    generationOnAnyChange: false,
    validate: (obj) => validateKeys(obj, ['data', 'binaryData']),
  });
}

function validateSecret(obj: KubeObject): StatusCause[] {
  const out = validateKeys(obj, ['data', 'stringData']);
  const data = { ...(obj.data ?? {}), ...(obj.stringData ?? {}) } as Record<string, unknown>;
  const need = (keys: string[]): void => {
    for (const k of keys) if (!(k in data)) out.push(required(`data[${k}]`));
  };
  switch (obj.type) {
    case 'kubernetes.io/tls':
      need(['tls.crt', 'tls.key']);
      break;
    case 'kubernetes.io/dockerconfigjson':
      need(['.dockerconfigjson']);
      break;
    case 'kubernetes.io/dockercfg':
      need(['.dockercfg']);
      break;
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
        out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
  }
  return out;
}

/** The Secret resource: `Name Type Data Age`, field selector `type`, default type `Opaque`. */
export function secretResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    table: {
      columns: [
        nameColumn(),
        column('Type', 'string', 'The type of the secret'),
        column('Data', 'integer', 'The number of entries in the secret'),
        ageColumn(),
      ],
      cells: (s, now) => [s.metadata.name ?? '', s.type ?? '', count(s.data), ageOf(s, now)],
    },
    fieldSelectors: { type: fieldAt('type') },
    patchSchema: metadataOnlySchema,
    defaulting(obj) {
      obj.type ??= 'Opaque';
      // As the v1 conversion does: stringData is folded into data (base64) and never stored.
      if (obj.stringData && typeof obj.stringData === 'object') {
        const folded: Record<string, string> = {};
        for (const [k, v] of Object.entries(obj.stringData as Record<string, unknown>)) {
          folded[k] = Buffer.from(String(v), 'utf8').toString('base64');
        }
        obj.data = { ...(obj.data ?? {}), ...folded };
        delete obj.stringData;
      }
    },
    validate: (obj) => validateSecret(obj),
  });
}

/** The ServiceAccount resource (`sa`): `Name Secrets Age`. */
export function serviceAccountResource(): ResourceDef {
  return defineResource({
    group: '',
    versions: ['v1'],
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespaced: true,
    shortNames: ['sa'],
    extraSubresources: ['token'],
    table: {
      columns: [
        nameColumn(),
        column(
          'Secrets',
          'integer',
          'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
        ),
        ageColumn(),
      ],
      cells: (sa, now) => [
        sa.metadata.name ?? '',
        Array.isArray(sa.secrets) ? sa.secrets.length : 0,
        ageOf(sa, now),
      ],
    },
    patchSchema: serviceAccountSchema,
  });
}
