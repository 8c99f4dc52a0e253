/**
 * Custom resources: `resourceDefFromCRD` turns a CustomResourceDefinition into the ResourceDef
 * the API server serves it with, and `validateCRD` checks a CRD the way apiextensions does
 * for the parts Flotilla relies on (names, group, scope, versions, printer columns).
 */
import type { KubeObject, StatusCause } from '../meta.ts';
import type { ResourceDef, TableColumn, TableDef } from '../resource-def.ts';
import { translateTimestampSince } from './age.ts';
import { evaluateJsonPath, JsonPathError, jsonPathText, parseJsonPath } from './jsonpath.ts';
import { AGE_DESCRIPTION, column, nameColumn } from './table-util.ts';
import {
  duplicate,
  invalid,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  notSupported,
  required,
} from './validation.ts';

// biome-ignore lint/suspicious/noExplicitAny: CRDs are open JSON
type Obj = Record<string, any>;

/** A CRD `additionalPrinterColumns` entry. */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first, others last by name. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const level = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && pb) return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2];
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A printer-column cell as apiextensions' table convertor computes it. */
export function printerCell(obj: unknown, col: { type: string; jsonPath: string }, now: Date): unknown {
  let results: unknown[];
  try {
    results = evaluateJsonPath(obj, col.jsonPath);
  } catch {
    return null;
  }
  const value = results[0];
  if (value === undefined || value === null) return null;
  switch (col.type) {
    case 'string':
      return jsonPathText(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      return Number.isNaN(Date.parse(value)) ? '<invalid>' : translateTimestampSince(value, now);
  }
  return null;
}

/** The column a CRD without printer columns gets: `Age` of `.metadata.creationTimestamp`. */
export const AGE_PRINTER_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: AGE_DESCRIPTION,
};

/** The table of a custom kind: `Name`, then the printer columns (or `Age` alone when there are none). */
export function printerColumnsTable(printerColumns: PrinterColumn[]): TableDef {
  const cols = printerColumns.length > 0 ? printerColumns : [AGE_PRINTER_COLUMN];
  const columns: TableColumn[] = [
    nameColumn(),
    ...cols.map((c) =>
      column(c.name, c.type as TableColumn['type'], c.description ?? '', c.priority ?? 0, c.format ?? ''),
    ),
  ];
  return {
    columns,
    cells: (obj, now) => [obj.metadata.name ?? '', ...cols.map((c) => printerCell(obj, c, now))],
  };
}

/** The served versions of a CRD, preferred (highest Kubernetes version priority) first. */
export function servedVersions(crd: KubeObject): Obj[] {
  const versions: Obj[] = (crd.spec?.versions ?? []).filter((v: Obj) => v.served !== false);
  return versions.sort((a, b) => compareKubeVersions(a.name, b.name));
}

/** The ResourceDef serving a CRD's custom resources; no patchSchema, so strategic merge patch is refused. */
export function resourceDefFromCRD(crd: KubeObject): ResourceDef {
  const spec: Obj = crd.spec ?? {};
  const names: Obj = spec.names ?? {};
  const versions = servedVersions(crd);
  const preferred: Obj = versions[0] ?? {};
  const sub: Obj = preferred.subresources ?? spec.subresources ?? {};
  const printerColumns: PrinterColumn[] =
    preferred.additionalPrinterColumns ?? spec.additionalPrinterColumns ?? [];
  const subresources: ResourceDef['subresources'] = {};
  if (sub.status !== undefined && sub.status !== null) subresources.status = true;
  if (sub.scale) {
    subresources.scale = {
      specReplicasPath: sub.scale.specReplicasPath,
      statusReplicasPath: sub.scale.statusReplicasPath,
      ...(sub.scale.labelSelectorPath ? { labelSelectorPath: sub.scale.labelSelectorPath } : {}),
    };
  }
  const fieldSelectors: ResourceDef['fieldSelectors'] = {};
  for (const f of (preferred.selectableFields ?? []) as { jsonPath: string }[]) {
    fieldSelectors[f.jsonPath.replace(/^\./, '')] = (obj) => {
      const v = evaluateJsonPath(obj, f.jsonPath)[0];
      return v === undefined || v === null ? undefined : jsonPathText(v);
    };
  }
  const kind: string = names.kind ?? '';
  return {
    group: spec.group ?? '',
    versions: versions.map((v) => v.name as string),
    kind,
    listKind: names.listKind ?? `${kind}List`,
    plural: names.plural ?? '',
    singular: names.singular ?? kind.toLowerCase(),
    shortNames: [...(names.shortNames ?? [])],
    categories: [...(names.categories ?? [])],
    namespaced: spec.scope !== 'Cluster',
    subresources,
    table: printerColumnsTable(printerColumns),
    fieldSelectors,
    generationOnAnyChange: subresources.status !== true,
    fromCRD: crd.metadata.name ?? '',
  };
}

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'] as const;

function validateNames(names: Obj, out: StatusCause[]): void {
  const p = 'spec.names';
  if (!names.plural) out.push(required(`${p}.plural`));
  else for (const m of isDNS1035Label(names.plural)) out.push(invalid(`${p}.plural`, names.plural, m));
  if (names.singular)
    for (const m of isDNS1035Label(names.singular)) out.push(invalid(`${p}.singular`, names.singular, m));
  if (!names.kind) out.push(required(`${p}.kind`));
  else if (!/^[A-Za-z][A-Za-z0-9]*$/.test(names.kind)) {
    out.push(
      invalid(`${p}.kind`, names.kind, 'may have mixed case, but should otherwise match: [a-z][-a-z0-9]*'),
    );
  }
  if (names.listKind && names.listKind === names.kind) {
    out.push(invalid(`${p}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  }
  (names.shortNames ?? []).forEach((s: string, i: number) => {
    for (const m of isDNS1123Label(s)) out.push(invalid(`${p}.shortNames[${i}]`, s, m));
  });
  (names.categories ?? []).forEach((s: string, i: number) => {
    for (const m of isDNS1123Label(s)) out.push(invalid(`${p}.categories[${i}]`, s, m));
  });
}

/** Validates a CustomResourceDefinition: `<plural>.<group>` name, group, names, scope, versions, printer columns. */
export function validateCRD(crd: KubeObject): StatusCause[] {
  const spec: Obj = crd.spec ?? {};
  const out: StatusCause[] = [];
  const group: string = spec.group ?? '';
  const plural: string = spec.names?.plural ?? '';
  if (crd.metadata.name !== `${plural}.${group}`) {
    out.push(invalid('metadata.name', crd.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  if (!group) out.push(required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(group)) out.push(invalid('spec.group', group, m));
    if (!group.includes('.'))
      out.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  validateNames(spec.names ?? {}, out);
  if (!['Cluster', 'Namespaced'].includes(spec.scope)) {
    out.push(notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  }
  const versions: Obj[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0)
    out.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    out.push(
      invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const vp = `spec.versions[${i}]`;
    if (!v.name) out.push(required(`${vp}.name`));
    else {
      for (const m of isDNS1035Label(v.name)) out.push(invalid(`${vp}.name`, v.name, m));
      if (seen.has(v.name)) out.push(duplicate(`${vp}.name`, v.name));
      seen.add(v.name);
    }
    (v.additionalPrinterColumns ?? []).forEach((c: Obj, j: number) => {
      const cp = `${vp}.additionalPrinterColumns[${j}]`;
      if (!c.name) out.push(required(`${cp}.name`));
      if (!COLUMN_TYPES.includes(c.type)) out.push(notSupported(`${cp}.type`, c.type ?? '', COLUMN_TYPES));
      if (!c.jsonPath) out.push(required(`${cp}.jsonPath`));
      else {
        try {
          parseJsonPath(c.jsonPath);
        } catch (e) {
          out.push(
            invalid(
              `${cp}.jsonPath`,
              c.jsonPath,
              e instanceof JsonPathError ? e.message : 'invalid JSONPath',
            ),
          );
        }
      }
    });
  });
  if (versions.length > 0 && !versions.some((v) => v.served !== false)) {
    out.push(
      invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have at least one served version',
      ),
    );
  }
  return out;
}
