/**
 * Label requirements: the unit both selector syntaxes reduce to, with the key and value
 * validation of `labels.NewRequirement` and the matching rules of `Requirement.Matches`.
 */
import { errors } from '../errors.ts';

/** A requirement's operator, spelled as `selection.Operator` spells it. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One requirement of a selector: `key op values`; `values` is sorted and de-duplicated. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** `metav1.LabelSelectorRequirement`. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

const NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const NAME_RE = new RegExp(`^${NAME_FMT}$`);
const VALUE_FMT = `(${NAME_FMT})?`;
const VALUE_RE = new RegExp(`^${VALUE_FMT}$`);
const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN_FMT = `${DNS_LABEL}(\\.${DNS_LABEL})*`;
const DNS_SUBDOMAIN_RE = new RegExp(`^${DNS_SUBDOMAIN_FMT}$`);

function regexError(msg: string, re: string, ...examples: string[]): string {
  const eg = examples.map((e) => `'${e}', `).join('or ');
  return examples.length === 0
    ? `${msg} (regex used for validation is '${re}')`
    : `${msg} (e.g. ${eg}regex used for validation is '${re}')`;
}

const NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** Problems with a qualified name (label key, annotation key), worded as Kubernetes words them; empty when valid. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = value;
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 bytes');
      if (!DNS_SUBDOMAIN_RE.test(prefix)) {
        errs.push(
          `prefix part ${regexError(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS_SUBDOMAIN_FMT,
            'example.com',
          )}`,
        );
      }
    }
  } else {
    return [
      `a valid label key ${regexError(NAME_MSG, NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 bytes');
  if (!NAME_RE.test(name))
    errs.push(`name part ${regexError(NAME_MSG, NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Problems with a label value, worded as Kubernetes words them; empty when valid. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 bytes');
  if (!VALUE_RE.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

/** Formats a `field.Invalid` error as Kubernetes prints it: `path: Invalid value: "v": detail`. */
export function fieldInvalid(path: string, value: unknown, detail: string): string {
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value)
      : `[]string${JSON.stringify(value).replace('[', '{').replace(/]$/, '}')}`;
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

/** Builds a requirement after validating it as `labels.NewRequirement` does; throws 400 on a bad key, value or arity. */
export function newRequirement(
  key: string,
  operator: LabelOperator,
  values: string[],
  path = '',
): LabelRequirement {
  const at = (child: string): string => (path ? `${path}.${child}` : child);
  const problems: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length > 0) problems.push(fieldInvalid(at('key'), key, keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        problems.push(
          fieldInvalid(at('values'), values, "for 'in', 'notin' operators, values set can't be empty"),
        );
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        problems.push(
          fieldInvalid(at('values'), values, 'exact-match compatibility requires one single value'),
        );
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        problems.push(
          fieldInvalid(at('values'), values, 'values set must be empty for exists and does not exist'),
        );
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        problems.push(
          fieldInvalid(at('values'), values, "for 'Gt', 'Lt' operators, exactly one value is required"),
        );
      values.forEach((v, i) => {
        if (!/^[-+]?\d+$/.test(v))
          problems.push(
            fieldInvalid(
              `${at('values')}[${i}]`,
              v,
              "for 'Gt', 'Lt' operators, the value must be an integer",
            ),
          );
      });
      break;
  }
  values.forEach((v, i) => {
    const errs = labelValueErrors(v);
    if (errs.length > 0) problems.push(fieldInvalid(`${at('values')}[${i}][${key}]`, v, errs.join('; ')));
  });
  if (problems.length > 0) throw errors.badRequest(aggregate(problems));
  return { key, operator, values: [...new Set(values)].sort() };
}

/** Whether `labels` satisfy one requirement (NotIn and `!=` match when the key is absent). */
export function matchesRequirement(req: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.operator) {
    case 'in':
    case '=':
    case '==':
      return value !== undefined && req.values.includes(value);
    case 'notin':
    case '!=':
      return value === undefined || !req.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (value === undefined || !/^[-+]?\d+$/.test(value)) return false;
      const bound = Number(req.values[0]);
      return req.operator === 'gt' ? Number(value) > bound : Number(value) < bound;
    }
  }
}

/** Whether `labels` satisfy every requirement; an empty list matches everything. */
export function matchesRequirements(
  reqs: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> = {},
): boolean {
  return reqs.every((r) => matchesRequirement(r, labels));
}
