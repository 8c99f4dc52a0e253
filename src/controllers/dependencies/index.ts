/** The dependencies distributor's public face: the controller and its pure pieces. */
export {
  type BindingSnapshot,
  DEPENDED_BY_PREFIX,
  DEPENDENCIES_ANNOTATION,
  dependedByLabelKey,
  desiredAttached,
  effectiveStrategy,
  recordedDependencies,
  releasedAttached,
} from './attached.ts';
export { type DependenciesDistributorOptions, newDependenciesDistributor } from './controller.ts';
export { type DependentObjectReference, dependenciesOf, hasDependencyInterpreter } from './extract.ts';
