/**
 * One `Overriders` block applied to a manifest, in Karmada's fixed order: image, command,
 * args, labels, annotations, field, plaintext (K:pkg/util/overridemanager). Each overrider is
 * turned into JSON patch operations against the current manifest and applied before the next.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Overriders, PatchOp } from '../api/karmada/types.ts';
import type { KubeObject } from '../api/meta.ts';
import { overrideImage } from './image.ts';
import {
  applyPatch,
  escapePointerToken,
  getPointer,
  OverrideError,
  type PatchOperation,
} from './json-patch.ts';

/** Where each kind keeps its containers, for auto-detected images and command/args. */
const CONTAINERS_PATH: Readonly<Record<string, string>> = {
  Pod: '/spec/containers',
  ReplicaSet: '/spec/template/spec/containers',
  Deployment: '/spec/template/spec/containers',
  DaemonSet: '/spec/template/spec/containers',
  StatefulSet: '/spec/template/spec/containers',
  Job: '/spec/template/spec/containers',
};

// biome-ignore lint/suspicious/noExplicitAny: containers are open JSON
type Obj = Record<string, any>;

function containers(manifest: KubeObject): { path: string; list: Obj[] } | undefined {
  const path = CONTAINERS_PATH[manifest.kind];
  if (!path) return undefined;
  const list = getPointer(manifest, path);
  return Array.isArray(list) ? { path, list: list as Obj[] } : { path, list: [] };
}

function imagePatches(
  manifest: KubeObject,
  o: NonNullable<Overriders['imageOverrider']>[number],
): PatchOperation[] {
  if (o.predicate) {
    const path = o.predicate.path;
    if (!path.startsWith('/')) throw new OverrideError('imagePath should be start with / character');
    const image = getPointer(manifest, path);
    if (typeof image !== 'string') {
      throw new OverrideError(`failed to obtain imageValue with predicate path(${path})`);
    }
    return [{ op: 'replace', path, value: overrideImage(image, o) }];
  }
  const c = containers(manifest);
  if (!c) return [];
  return c.list.map((container, i) => ({
    op: 'replace' as const,
    path: `${c.path}/${i}/image`,
    value: overrideImage(String(container.image ?? ''), o),
  }));
}

function commandArgsPatches(
  manifest: KubeObject,
  target: 'command' | 'args',
  o: NonNullable<Overriders['commandOverrider']>[number],
): PatchOperation[] {
  const c = containers(manifest);
  if (!c) return [];
  const out: PatchOperation[] = [];
  c.list.forEach((container, i) => {
    if (container.name !== o.containerName) return;
    const current: unknown[] | undefined = container[target];
    const path = `${c.path}/${i}/${target}`;
    const base = (current ?? []).map((v) => String(v));
    const values = o.value ?? [];
    const next =
      o.operator === 'add'
        ? [...base, ...values]
        : o.operator === 'remove'
          ? base.filter((v) => !values.includes(v))
          : base;
    out.push({ op: current == null ? 'add' : 'replace', path, value: next });
  });
  return out;
}

function mapPatches(
  manifest: KubeObject,
  field: 'labels' | 'annotations',
  o: NonNullable<Overriders['labelsOverrider']>[number],
): PatchOperation[] {
  const out: PatchOperation[] = [];
  for (const [key, value] of Object.entries(o.value ?? {})) {
    const current = manifest.metadata[field];
    if (o.operator === 'remove' || o.operator === 'replace') {
      if (!current || !Object.hasOwn(current, key)) continue;
    } else if (o.operator === 'add' && !current) {
      manifest.metadata[field] = {};
    }
    out.push({ op: o.operator, path: `/metadata/${field}/${escapePointerToken(key)}`, value });
  }
  return out;
}

function toOps(ops: readonly PatchOp[] | undefined, key: 'path' | 'subPath'): PatchOperation[] {
  return (ops ?? []).map((p) => {
    const op: PatchOperation = { op: p.operator, path: p[key] ?? '' };
    if (p.value !== undefined) op.value = p.value;
    return op;
  });
}

function applyFieldOverrider(
  manifest: KubeObject,
  o: NonNullable<Overriders['fieldOverrider']>[number],
): void {
  const raw = getPointer(manifest, o.fieldPath);
  if (typeof raw !== 'string') {
    throw new OverrideError(`Get object's value by overrider's path(${o.fieldPath}) is not string`);
  }
  let out: string;
  try {
    if (o.yaml && o.yaml.length > 0) {
      const doc = { root: parseYaml(raw) ?? null };
      applyPatch(doc.root, toOps(o.yaml, 'subPath'));
      out = stringifyYaml(doc.root, { sortMapEntries: true });
    } else if (o.json && o.json.length > 0) {
      const doc = JSON.parse(raw);
      applyPatch(doc, toOps(o.json, 'subPath'));
      out = JSON.stringify(doc);
    } else {
      out = '';
    }
  } catch (err) {
    if (err instanceof OverrideError) throw err;
    throw new OverrideError(`field overrider at ${o.fieldPath}: ${(err as Error).message}`, { cause: err });
  }
  applyPatch(manifest, [{ op: 'replace', path: o.fieldPath, value: out }]);
}

/**
 * Applies one `Overriders` block to `manifest` in place, in Karmada's order. Throws
 * {@link OverrideError} when an overrider does not apply (bad path, unparsable image, …).
 */
export function applyOverriders(manifest: KubeObject, overriders: Overriders): void {
  for (const o of overriders.imageOverrider ?? []) applyPatch(manifest, imagePatches(manifest, o));
  for (const o of overriders.commandOverrider ?? [])
    applyPatch(manifest, commandArgsPatches(manifest, 'command', o));
  for (const o of overriders.argsOverrider ?? [])
    applyPatch(manifest, commandArgsPatches(manifest, 'args', o));
  for (const o of overriders.labelsOverrider ?? []) applyPatch(manifest, mapPatches(manifest, 'labels', o));
  for (const o of overriders.annotationsOverrider ?? [])
    applyPatch(manifest, mapPatches(manifest, 'annotations', o));
  for (const o of overriders.fieldOverrider ?? []) applyFieldOverrider(manifest, o);
  applyPatch(manifest, toOps(overriders.plaintext, 'path'));
}
