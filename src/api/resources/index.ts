/**
 * The built-in kinds Flotilla serves, as ResourceDefs (one file per API group), plus the
 * helpers the API server shares with them: metadata validation, CRD conversion, Age strings.
 */
import type { ResourceDef } from '../resource-def.ts';
import { crdResource } from './apiextensions.ts';
import { daemonSetResource, deploymentResource, replicaSetResource, statefulSetResource } from './apps.ts';
import { jobResource } from './batch.ts';
import { leaseResource } from './coordination.ts';
import { coreResources } from './core.ts';
import { endpointSliceResource } from './discovery.ts';
import {
  destinationRuleResource,
  gatewayResource,
  serviceEntryResource,
  virtualServiceResource,
} from './istio.ts';
import { clusterResource } from './karmada-cluster.ts';
import {
  clusterOverridePolicyResource,
  clusterPropagationPolicyResource,
  clusterTaintPolicyResource,
  overridePolicyResource,
  propagationPolicyResource,
} from './karmada-policy.ts';
import { clusterResourceBindingResource, resourceBindingResource, workResource } from './karmada-work.ts';

/** Every built-in kind, freshly built on each call so callers may mutate the result. */
export function builtinResources(): ResourceDef[] {
  return [
    ...coreResources(),
    deploymentResource(),
    replicaSetResource(),
    statefulSetResource(),
    daemonSetResource(),
    jobResource(),
    endpointSliceResource(),
    leaseResource(),
    crdResource(),
    propagationPolicyResource(),
    clusterPropagationPolicyResource(),
    overridePolicyResource(),
    clusterOverridePolicyResource(),
    clusterTaintPolicyResource(),
    clusterResource(),
    resourceBindingResource(),
    clusterResourceBindingResource(),
    workResource(),
    gatewayResource(),
    virtualServiceResource(),
    destinationRuleResource(),
    serviceEntryResource(),
  ];
}

// Helpers shared with the API server and other packages.
export { humanDuration, translateTimestampSince } from './age.ts';
export { compareKubeVersions, printerCell, resourceDefFromCRD, validateCRD } from './crd.ts';
export { evaluateJsonPath, jsonPathText, parseJsonPath } from './jsonpath.ts';
export { defaultPropagationSpec } from './karmada-policy.ts';
export { validateOverrideSpec, validatePropagationSpec } from './karmada-policy-validation.ts';
export { podStatusCells } from './pod-printer.ts';
export { defaultPodSpec, defaultPodTemplate, validatePodSpec } from './pod-spec.ts';
export { formatLabelSelector, formatLabels } from './table-util.ts';
export {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  nameRuleFor,
  validateLabels,
  validateObjectMeta,
} from './validation.ts';
export { selectorMatches } from './workload.ts';
