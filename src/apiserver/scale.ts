/**
 * The `scale` subresource: an `autoscaling/v1 Scale` view of an object's replica count, read
 * from and written to the paths its kind declares.
 */
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef, ScaleDef } from '../api/resource-def.ts';
import { formatLabelSelector, labelSelectorRequirements } from '../api/selectors/label-selector.ts';

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (cur[part] === null || typeof cur[part] !== 'object') cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function scaleDef(def: ResourceDef): ScaleDef {
  if (!def.subresources.scale)
    throw errors.notFound({ group: def.group, resource: `${def.plural}/scale`, name: '' });
  return def.subresources.scale;
}

/** The Scale object for `obj`. */
export function toScale(def: ResourceDef, obj: KubeObject): KubeObject {
  const s = scaleDef(def);
  const selector = s.labelSelectorPath ? getPath(obj, s.labelSelectorPath) : undefined;
  let selectorString = '';
  if (typeof selector === 'string') selectorString = selector;
  else if (selector && typeof selector === 'object') {
    selectorString = formatLabelSelector(labelSelectorRequirements(selector as never) ?? []);
  }
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name!,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid!,
      resourceVersion: m.resourceVersion!,
      creationTimestamp: m.creationTimestamp!,
    },
    spec: { replicas: Number(getPath(obj, s.specReplicasPath) ?? 0) },
    status: {
      replicas: Number(getPath(obj, s.statusReplicasPath) ?? 0),
      ...(selectorString ? { selector: selectorString } : {}),
    },
  };
}

/** Writes a Scale's `spec.replicas` into `obj`; refuses anything but a non-negative integer. */
export function applyScale(def: ResourceDef, obj: KubeObject, scale: KubeObject): KubeObject {
  const s = scaleDef(def);
  const replicas = scale?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('Scale', 'autoscaling', obj.metadata.name ?? '', [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        field: 'spec.replicas',
      },
    ]);
  }
  setPath(obj as unknown as Record<string, unknown>, s.specReplicasPath, replicas);
  return obj;
}
