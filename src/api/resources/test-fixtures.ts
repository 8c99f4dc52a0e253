/** Test fixtures: the Bookinfo scenario manifests parsed with `yaml`, stamped with metadata. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../meta.ts';
import type { ResourceDef } from '../resource-def.ts';
import { builtinResources } from './index.ts';

const SCENARIO = '/work/shared/scenario';

/** A fixed "now" for table cells. */
export const NOW = new Date('2025-06-01T12:00:00Z');
/** A creation timestamp 5m10s before `NOW`. */
export const CREATED = '2025-06-01T11:54:50Z';

/** Every document of a scenario file, with namespace `default` and a creation timestamp. */
export function scenario(file: string): KubeObject[] {
  const text = readFileSync(`${SCENARIO}/${file}`, 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object')
    .map((o) => ({ ...o, metadata: { namespace: 'default', creationTimestamp: CREATED, ...o.metadata } }));
}

/** The first scenario object of `kind` named `name`. */
export function find(objs: KubeObject[], kind: string, name: string): KubeObject {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`fixture ${kind}/${name} missing`);
  return structuredClone(o);
}

/** The built-in definition of `kind` (optionally in `group`). */
export function defOf(kind: string, group?: string): ResourceDef {
  const d = builtinResources().find((r) => r.kind === kind && (group === undefined || r.group === group));
  if (!d) throw new Error(`no def for ${kind}`);
  return d;
}

/** Column names of a definition's table. */
export function columnNames(def: ResourceDef, priority?: number): string[] {
  return def.table.columns
    .filter((c) => priority === undefined || c.priority === priority)
    .map((c) => c.name);
}
