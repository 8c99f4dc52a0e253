/**
 * Validation of Karmada policies, after karmada-webhook's `ValidatePropagationSpec` and
 * `ValidateOverrideSpec` plus the CRD schema's enum and minimum constraints.
 */
import type { StatusCause } from '../meta.ts';
import { duplicate, invalid, notSupported, required } from './validation.ts';

// biome-ignore lint/suspicious/noExplicitAny: policy specs are open JSON
type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function enumCheck(out: StatusCause[], field: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && value !== null && !allowed.includes(value as string)) {
    out.push(notSupported(field, value, allowed));
  }
}

function validateSelectors(
  selectors: unknown,
  path: string,
  policyNamespace: string | undefined,
): StatusCause[] {
  const out: StatusCause[] = [];
  if (!Array.isArray(selectors) || selectors.length === 0) {
    return [invalid(path, 0, `${path} in body should have at least 1 items`)];
  }
  selectors.forEach((s: Obj, i: number) => {
    const sp = `${path}[${i}]`;
    if (!isObj(s)) return;
    if (!s.apiVersion) out.push(required(`${sp}.apiVersion`));
    if (!s.kind) out.push(required(`${sp}.kind`));
    if (policyNamespace !== undefined && s.namespace && s.namespace !== policyNamespace) {
      out.push(
        invalid(
          `${sp}.namespace`,
          s.namespace,
          'namespace of resource selector must be the same as the namespace of the policy',
        ),
      );
    }
  });
  return out;
}

/** `ValidatePolicyFieldSelector`: keys provider/region/zone, operators In/NotIn. */
export function validateClusterAffinity(affinity: unknown, path: string): StatusCause[] {
  if (!isObj(affinity)) return [];
  const exprs: Obj[] = affinity.fieldSelector?.matchExpressions ?? [];
  for (const e of exprs) {
    if (!['provider', 'region', 'zone'].includes(e.key)) {
      return [
        invalid(
          `${path}.fieldSelector`,
          affinity.fieldSelector,
          `unsupported key ${JSON.stringify(e.key ?? '')}, must be provider, region, or zone`,
        ),
      ];
    }
    if (!['In', 'NotIn'].includes(e.operator)) {
      return [
        invalid(
          `${path}.fieldSelector`,
          affinity.fieldSelector,
          `unsupported operator ${JSON.stringify(e.operator ?? '')}, must be In or NotIn`,
        ),
      ];
    }
  }
  return [];
}

function validateSpread(constraints: unknown, path: string): StatusCause[] {
  if (!Array.isArray(constraints)) return [];
  const out: StatusCause[] = [];
  const fields = new Set<string>();
  constraints.forEach((c: Obj, i: number) => {
    const cp = `${path}[${i}]`;
    if (!isObj(c)) return;
    enumCheck(out, `${cp}.spreadByField`, c.spreadByField || undefined, [
      'cluster',
      'region',
      'zone',
      'provider',
    ]);
    if (c.spreadByLabel && c.spreadByField)
      out.push(invalid(cp, c, 'spreadByLabel should not co-exist with spreadByField'));
    const min = c.minGroups ?? 0;
    const max = c.maxGroups ?? 0;
    if (min < 0) out.push(invalid(cp, c, 'minGroups lower than 0 is not allowed'));
    if (max < 0) out.push(invalid(cp, c, 'maxGroups lower than 0 is not allowed'));
    if (max < min) out.push(invalid(cp, c, 'maxGroups lower than minGroups is not allowed'));
    if (c.spreadByField) {
      if (fields.has(c.spreadByField)) {
        out.push(
          invalid(path, constraints, `multiple ${c.spreadByField} spread constraints are not allowed`),
        );
      }
      fields.add(c.spreadByField);
    }
  });
  if (fields.size > 0 && !fields.has('cluster')) {
    out.push(
      invalid(
        path,
        constraints,
        'the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled',
      ),
    );
  }
  return out;
}

function validatePlacement(placement: unknown, path: string): StatusCause[] {
  if (!isObj(placement)) return [];
  const out: StatusCause[] = [];
  if (
    placement.clusterAffinity &&
    Array.isArray(placement.clusterAffinities) &&
    placement.clusterAffinities.length > 0
  ) {
    out.push(invalid(path, placement, 'clusterAffinities cannot co-exist with clusterAffinity'));
  }
  out.push(...validateClusterAffinity(placement.clusterAffinity, `${path}.clusterAffinity`));
  const names = new Set<string>();
  (Array.isArray(placement.clusterAffinities) ? placement.clusterAffinities : []).forEach(
    (t: Obj, i: number) => {
      const tp = `${path}.clusterAffinities[${i}]`;
      const name: string = t?.affinityName ?? '';
      if (name.length < 1 || name.length > 32)
        out.push(invalid(`${tp}.affinityName`, name, 'must be between 1 and 32 characters'));
      if (names.has(name)) out.push(duplicate(`${tp}.affinityName`, name));
      names.add(name);
      out.push(...validateClusterAffinity(t, tp));
    },
  );
  out.push(...validateSpread(placement.spreadConstraints, `${path}.spreadConstraints`));
  const rs = placement.replicaScheduling;
  if (isObj(rs)) {
    const rp = `${path}.replicaScheduling`;
    enumCheck(out, `${rp}.replicaSchedulingType`, rs.replicaSchedulingType, ['Duplicated', 'Divided']);
    enumCheck(out, `${rp}.replicaDivisionPreference`, rs.replicaDivisionPreference, [
      'Aggregated',
      'Weighted',
    ]);
    const wp = rs.weightPreference;
    if (isObj(wp)) {
      enumCheck(out, `${rp}.weightPreference.dynamicWeight`, wp.dynamicWeight, ['AvailableReplicas']);
      (Array.isArray(wp.staticWeightList) ? wp.staticWeightList : []).forEach((w: Obj, i: number) => {
        const f = `${rp}.weightPreference.staticWeightList[${i}].weight`;
        if (typeof w?.weight !== 'number' || w.weight < 1) {
          out.push(invalid(f, w?.weight ?? 0, `${f} in body should be greater than or equal to 1`));
        }
        out.push(
          ...validateClusterAffinity(
            w?.targetCluster,
            `${rp}.weightPreference.staticWeightList[${i}].targetCluster`,
          ),
        );
      });
    }
  }
  (Array.isArray(placement.clusterTolerations) ? placement.clusterTolerations : []).forEach(
    (t: Obj, i: number) => {
      enumCheck(out, `${path}.clusterTolerations[${i}].operator`, t?.operator, ['Equal', 'Exists']);
    },
  );
  return out;
}

/** Validates a PropagationSpec; `policyNamespace` is set for PropagationPolicy, undefined for the cluster kind. */
export function validatePropagationSpec(spec: unknown, policyNamespace: string | undefined): StatusCause[] {
  if (!isObj(spec)) return [required('spec')];
  const out = validateSelectors(spec.resourceSelectors, 'spec.resourceSelectors', policyNamespace);
  enumCheck(out, 'spec.conflictResolution', spec.conflictResolution, ['Abort', 'Overwrite']);
  enumCheck(out, 'spec.preemption', spec.preemption, ['Always', 'Never']);
  enumCheck(out, 'spec.activationPreference', spec.activationPreference || undefined, ['Lazy']);
  if (spec.preemption === 'Always' && Array.isArray(spec.resourceSelectors)) {
    spec.resourceSelectors.forEach((s: Obj, i: number) => {
      if (!s?.name) {
        out.push(
          invalid(
            `spec.resourceSelectors[${i}].name`,
            '',
            'name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption',
          ),
        );
      }
    });
  }
  if (isObj(spec.failover?.application) && spec.propagateDeps !== true) {
    out.push(
      invalid(
        'spec.propagateDeps',
        spec.propagateDeps ?? false,
        'application failover is set, propagateDeps must be true',
      ),
    );
  }
  const app = spec.failover?.application;
  if (isObj(app)) {
    enumCheck(out, 'spec.failover.application.purgeMode', app.purgeMode, ['Directly', 'Gracefully', 'Never']);
    const ts = app.decisionConditions?.tolerationSeconds;
    if (typeof ts === 'number' && ts < 0) {
      out.push(
        invalid(
          'spec.failover.application.decisionConditions.tolerationSeconds',
          ts,
          'must be greater than or equal to 0',
        ),
      );
    }
  }
  const sus = spec.suspension;
  if (isObj(sus) && sus.dispatching === true && (sus.dispatchingOnClusters?.clusterNames ?? []).length > 0) {
    out.push(
      invalid(
        'spec.suspension',
        sus,
        'suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames',
      ),
    );
  }
  out.push(...validatePlacement(spec.placement, 'spec.placement'));
  return out;
}

const OPERATORS = ['add', 'remove', 'replace'] as const;

function validateOverriders(o: unknown, path: string): StatusCause[] {
  if (!isObj(o)) return [];
  const out: StatusCause[] = [];
  (o.plaintext ?? []).forEach((p: Obj, i: number) => {
    const pp = `${path}.plaintext[${i}]`;
    enumCheck(out, `${pp}.operator`, p?.operator, OPERATORS);
    if (!p?.path) out.push(required(`${pp}.path`));
    const hasValue = p?.value !== undefined && p?.value !== null;
    if ((p?.operator === 'add' || p?.operator === 'replace') && !hasValue) {
      out.push(invalid(`${pp}.value`, null, 'value is required for add or replace operation'));
    }
    if (p?.operator === 'remove' && hasValue)
      out.push(invalid(`${pp}.value`, p.value, 'value is not allowed for remove operation'));
  });
  (o.imageOverrider ?? []).forEach((p: Obj, i: number) => {
    enumCheck(out, `${path}.imageOverrider[${i}].component`, p?.component, ['Registry', 'Repository', 'Tag']);
    enumCheck(out, `${path}.imageOverrider[${i}].operator`, p?.operator, OPERATORS);
  });
  for (const k of ['commandOverrider', 'argsOverrider']) {
    (o[k] ?? []).forEach((p: Obj, i: number) => {
      if (!p?.containerName) out.push(required(`${path}.${k}[${i}].containerName`));
      enumCheck(out, `${path}.${k}[${i}].operator`, p?.operator, ['add', 'remove']);
    });
  }
  for (const k of ['labelsOverrider', 'annotationsOverrider']) {
    (o[k] ?? []).forEach((p: Obj, i: number) => {
      enumCheck(out, `${path}.${k}[${i}].operator`, p?.operator, OPERATORS);
    });
  }
  (o.fieldOverrider ?? []).forEach((f: Obj, i: number) => {
    const fp = `${path}.fieldOverrider[${i}]`;
    const hasJson = Array.isArray(f?.json) && f.json.length > 0;
    const hasYaml = Array.isArray(f?.yaml) && f.yaml.length > 0;
    if (hasJson && hasYaml)
      out.push(invalid(fp, f, 'FieldOverrider has both YAML and JSON set. Only one is allowed'));
    if (!hasJson && !hasYaml) out.push(required(fp, 'FieldOverrider must have either JSON or YAML set'));
  });
  return out;
}

/** Validates an OverrideSpec (OverridePolicy, ClusterOverridePolicy). */
export function validateOverrideSpec(spec: unknown, policyNamespace: string | undefined): StatusCause[] {
  if (!isObj(spec)) return [];
  const out: StatusCause[] = [];
  if (Array.isArray(spec.resourceSelectors) && spec.resourceSelectors.length > 0) {
    out.push(...validateSelectors(spec.resourceSelectors, 'spec.resourceSelectors', policyNamespace));
  }
  const rules: Obj[] = Array.isArray(spec.overrideRules) ? spec.overrideRules : [];
  if (rules.length > 0 && isObj(spec.targetCluster)) {
    out.push(
      invalid('spec.targetCluster', spec.targetCluster, "overrideRules and targetCluster can't co-exist"),
    );
  }
  if (rules.length > 0 && isObj(spec.overriders) && Object.keys(spec.overriders).length > 0) {
    out.push(invalid('spec.overriders', spec.overriders, "overrideRules and overriders can't co-exist"));
  }
  rules.forEach((r, i) => {
    out.push(...validateClusterAffinity(r?.targetCluster, `spec.overrideRules[${i}].targetCluster`));
    out.push(...validateOverriders(r?.overriders, `spec.overrideRules[${i}].overriders`));
  });
  out.push(...validateClusterAffinity(spec.targetCluster, 'spec.targetCluster'));
  out.push(...validateOverriders(spec.overriders, 'spec.overriders'));
  return out;
}
