/**
 * Reusable field validation: StatusCause constructors worded as `k8s.io/apimachinery`'s
 * `field.Error` renders them, the name and label syntax checks of `util/validation`, and
 * `validateObjectMeta`, the metadata checks shared by every kind.
 */
import type { KubeObject, StatusCause } from '../meta.ts';
import type { ResourceDef, ValidationContext } from '../resource-def.ts';

/** Renders a value as Go's `field.Error` does: strings quoted, numbers plain, string maps as `%#v`. */
export function goValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, v]) => typeof v === 'string')) {
      const body = entries
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
        .join(', ');
      return `map[string]string{${body}}`;
    }
  }
  return JSON.stringify(value);
}

/** `field.Required`: `Required value` or `Required value: <detail>`. */
export function required(field: string, detail = ''): StatusCause {
  return {
    reason: 'FieldValueRequired',
    message: detail ? `Required value: ${detail}` : 'Required value',
    field,
  };
}

/** `field.Invalid`: `Invalid value: <value>: <detail>`. */
export function invalid(field: string, value: unknown, detail: string): StatusCause {
  const base = `Invalid value: ${goValue(value)}`;
  return { reason: 'FieldValueInvalid', message: detail ? `${base}: ${detail}` : base, field };
}

/** `field.NotSupported`: `Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${goValue(value)}: supported values: ${list}`,
    field,
  };
}

/** `field.Duplicate`: `Duplicate value: "x"`. */
export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(value)}`, field };
}

/** `field.Forbidden`: `Forbidden: <detail>`. */
export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

/** `field.NotFound`: `Not found: "x"`. */
export function notFound(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${goValue(value)}`, field };
}

/** `field.TooLong` for byte limits. */
export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field };
}

function regexError(msg: string, fmt: string, examples: string[]): string {
  const ex = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${ex}regex used for validation is '${fmt}')`;
}

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const CONFIG_KEY = '[-._a-zA-Z0-9]+';
const full = (re: string): RegExp => new RegExp(`^${re}$`);

/** `IsDNS1123Label`: error messages, empty when valid. */
export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!full(DNS1123_LABEL).test(v)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        DNS1123_LABEL,
        ['my-name', '123-abc'],
      ),
    );
  }
  return errs;
}

/** `IsDNS1123Subdomain`: error messages, empty when valid. */
export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!full(DNS1123_SUBDOMAIN).test(v)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN,
        ['example.com'],
      ),
    );
  }
  return errs;
}

/** `IsDNS1035Label`: error messages, empty when valid. */
export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!full(DNS1035_LABEL).test(v)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL,
        ['my-name', 'abc-123'],
      ),
    );
  }
  return errs;
}

/** `IsQualifiedName`: `[prefix/]name` as used by label and annotation keys. */
export function isQualifiedName(v: string): string[] {
  const parts = v.split('/');
  let name = v;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix = '', n = ''] = parts;
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [
      regexError(
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        QUALIFIED_NAME,
        ['MyName', 'my.name', '123-abc'],
      ) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!full(QUALIFIED_NAME).test(name)) {
    errs.push(
      regexError(
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        QUALIFIED_NAME,
        ['MyName', 'my.name', '123-abc'],
      ),
    );
  }
  return errs;
}

/** `IsValidLabelValue`. */
export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!full(LABEL_VALUE).test(v)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        ['MyValue', 'my_value', '12345'],
      ),
    );
  }
  return errs;
}

/** `IsConfigMapKey`: keys of ConfigMap and Secret data. */
export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!full(CONFIG_KEY).test(v)) {
    errs.push(
      regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY, [
        'key.name',
        'KEY_NAME',
        'key-name',
      ]),
    );
  }
  if (v === '.') errs.push("must not be '.'");
  else if (v === '..') errs.push("must not be '..'");
  else if (v.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** `IsValidPortName`: IANA service names used for container and service port names. */
export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(v))
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(v)) errs.push('must contain at least one letter (a-z)');
  if (v.includes('--')) errs.push('must not contain consecutive hyphens');
  if (v.startsWith('-') || v.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** `IsValidPortNum`: 1..65535. */
export function isValidPortNum(n: unknown): string[] {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535
    ? []
    : ['must be between 1 and 65535, inclusive'];
}

/** Which name syntax a kind's objects must follow. */
export type NameRule = (name: string) => string[];

/** Karmada's `ValidateClusterName`: a DNS-1123 label of at most 48 characters. */
export function isClusterName(v: string): string[] {
  return v.length > 48 ? ['must be no more than 48 characters'] : isDNS1123Label(v);
}

const NAME_RULES: Record<string, NameRule> = {
  Namespace: isDNS1123Label,
  Service: isDNS1035Label,
  'Cluster.cluster.karmada.io': isClusterName,
};

/** The name rule of a kind: DNS-1123 subdomain unless the kind is known to be stricter. */
export function nameRuleFor(def: Pick<ResourceDef, 'kind' | 'group'>): NameRule {
  const key = def.group === '' ? def.kind : `${def.kind}.${def.group}`;
  return NAME_RULES[key] ?? isDNS1123Subdomain;
}

/** Labels (`metadata.labels`, template labels, selectors) keyed by qualified name with label values. */
export function validateLabels(labels: unknown, field: string): StatusCause[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalid(field, labels, 'must be a map')];
  const out: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    for (const m of isQualifiedName(k)) out.push(invalid(field, k, m));
    if (typeof v !== 'string') out.push(invalid(field, v, 'must be a string'));
    else for (const m of isValidLabelValue(v)) out.push(invalid(field, v, m));
  }
  return out;
}

/** Maximum total size of a object's annotations (keys plus values), 256 KiB. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Annotation keys are qualified names (checked lower-cased) and the total size is bounded. */
export function validateAnnotations(annotations: unknown, field: string): StatusCause[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) {
    return [invalid(field, annotations, 'must be a map')];
  }
  const out: StatusCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    for (const m of isQualifiedName(k.toLowerCase())) out.push(invalid(field, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) out.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return out;
}

/**
 * Metadata checks shared by every kind: name or generateName present and of the kind's syntax,
 * namespace present iff the kind is namespaced (and a DNS-1123 label), label and annotation
 * syntax. Called by the API server before the kind's own `validate`.
 */
export function validateObjectMeta(
  obj: KubeObject,
  def: ResourceDef,
  _ctx: ValidationContext = {},
): StatusCause[] {
  const meta = obj.metadata ?? {};
  const out: StatusCause[] = [];
  const rule = nameRuleFor(def);
  if (meta.name) {
    for (const m of rule(meta.name)) out.push(invalid('metadata.name', meta.name, m));
  } else if (meta.generateName) {
    const prefix = meta.generateName.replace(/-$/, 'a');
    for (const m of rule(prefix)) out.push(invalid('metadata.generateName', meta.generateName, m));
  } else {
    out.push(required('metadata.name', 'name or generateName is required'));
  }
  if (def.namespaced) {
    if (!meta.namespace) out.push(required('metadata.namespace'));
    else
      for (const m of isDNS1123Label(meta.namespace))
        out.push(invalid('metadata.namespace', meta.namespace, m));
  } else if (meta.namespace) {
    out.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  out.push(...validateLabels(meta.labels, 'metadata.labels'));
  out.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  return out;
}
