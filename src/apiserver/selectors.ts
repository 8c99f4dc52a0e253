/**
 * Compiles the `labelSelector` and `fieldSelector` query parameters of lists and watches into
 * predicates over objects. Field keys are `metadata.name`, `metadata.namespace` and whatever the
 * kind declares; anything else is refused with 400 as Kubernetes does.
 */
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resource-def.ts';
import { matchesFields, parseFieldSelector, validateFieldKeys } from '../api/selectors/field-selector.ts';
import { matchesRequirements } from '../api/selectors/label-requirement.ts';
import { parseLabelSelector } from '../api/selectors/label-selector.ts';

export type ObjectFilter = (obj: KubeObject) => boolean;

/** A predicate for a label selector string, or undefined when it selects everything. */
export function compileLabelSelector(selector: string | undefined): ObjectFilter | undefined {
  if (!selector) return undefined;
  const reqs = parseLabelSelector(selector);
  if (reqs.length === 0) return undefined;
  return (obj) => matchesRequirements(reqs, obj.metadata.labels ?? {});
}

/** A predicate for a field selector string, or undefined when it selects everything. */
export function compileFieldSelector(
  def: ResourceDef,
  selector: string | undefined,
): ObjectFilter | undefined {
  if (!selector) return undefined;
  const reqs = parseFieldSelector(selector);
  if (reqs.length === 0) return undefined;
  const extractors: Record<string, (obj: KubeObject) => string | undefined> = {
    'metadata.name': (o) => o.metadata.name ?? '',
    'metadata.namespace': (o) => o.metadata.namespace ?? '',
    ...def.fieldSelectors,
  };
  validateFieldKeys(reqs, Object.keys(extractors));
  return (obj) => matchesFields(reqs, (field) => extractors[field]?.(obj) ?? '');
}
