/**
 * Selectors' public face: label selectors (query syntax and `metav1.LabelSelector`) and field
 * selectors, parsed into requirements and matched against objects.
 */
export {
  escapeFieldValue,
  type FieldRequirement,
  matchesFields,
  parseFieldSelector,
  unescapeFieldValue,
  validateFieldKeys,
} from './field-selector.ts';
export {
  formatLabelSelector,
  type LabelOperator,
  type LabelRequirement,
  type LabelSelector,
  type LabelSelectorRequirement,
  labelSelectorRequirements,
  labelValueErrors,
  matchesLabelSelector,
  matchesLabelString,
  matchesRequirement,
  matchesRequirements,
  newRequirement,
  parseLabelSelector,
  qualifiedNameErrors,
} from './label-selector.ts';
