/**
 * The resource detector's public face: the detector itself plus its pure pieces (policy choice,
 * claim metadata, binding building, replica interpretation, event filtering).
 */
export { applyPolicy, cleanupClaim } from './apply.ts';
export { desiredBinding, isClusterScoped } from './binding.ts';
export { ResourceDetector, type ResourceDetectorOptions } from './detector.ts';
export { isReservedNamespace, isSkippedObject, isSkippedResource, specificationChanged } from './filter.ts';
export { applyClaim, bestPolicy, type Claim, claimMetadata, claimOf, stripClaim } from './policy.ts';
export {
  formatQuantity,
  interpretReplicas,
  parseQuantity,
  podRequests,
  replicaRequirements,
} from './replicas.ts';
export { discoverPropagatable, parseTemplateKey, templateKey } from './templates.ts';
