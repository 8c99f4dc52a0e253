/**
 * The shape of Flotilla's protobuf schema table. Each group file lists its messages compactly as
 * `field number → "<name><mark> <type>"` and `compileTable` turns them into `FieldSpec`s.
 *
 * The compact form:
 * - `<type>` is `string | int32 | int64 | bool | bytes | double`, a message name (capitalised),
 *   `map<string,V>` with V a scalar or message name, and a trailing `[]` for repeated fields.
 * - `<mark>` `?` — a Go pointer field: present means set, so a zero value is kept (`replicas: 0`).
 * - `<mark>` `!` — a JSON field without `omitempty`: Go's JSON always prints it, so a zero value is
 *   kept. Unmarked scalars equal to their zero value are dropped, because Kubernetes' generated
 *   marshallers always write non-pointer scalars while its JSON omits them when empty.
 * - `^ <Message>` with no name — an embedded struct (`json:",inline"`) whose fields merge into
 *   the parent's JSON object (`Probe` → `ProbeHandler`, `Volume` → `VolumeSource`).
 */

/** Scalar protobuf types Kubernetes uses. */
export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes' | 'double';

/** A field's type: a scalar, `message:<Name>`, or a map from string to a scalar or message. */
export type FieldType =
  | ScalarType
  | `message:${string}`
  | `map<string,${ScalarType}>`
  | `map<string,message:${string}>`;

/** One field of a message. */
export interface FieldSpec {
  /** The JSON name; empty for inline (embedded) fields. */
  name: string;
  type: FieldType;
  repeated: boolean;
  /** Keep the field when it holds its zero value (`?` and `!` marks). */
  keepZero: boolean;
  /** Merge the nested message's fields into the parent object (`^`). */
  inline: boolean;
}

/** A group file's table as written: message name → field number → compact spec. */
export type MessageTable = Record<string, Record<number, string>>;

/** A compiled message: field number → spec. */
export type CompiledMessage = ReadonlyMap<number, FieldSpec>;

const SCALARS = new Set<string>(['string', 'int32', 'int64', 'bool', 'bytes', 'double']);
const SPEC = /^(\^|[A-Za-z][A-Za-z0-9]*)([?!]?) (map<string,[A-Za-z0-9]+>|[A-Za-z0-9]+)(\[\])?$/;

function fieldType(type: string, where: string): FieldType {
  if (SCALARS.has(type)) return type as ScalarType;
  const map = /^map<string,([A-Za-z0-9]+)>$/.exec(type);
  if (map) {
    const value = map[1]!;
    return SCALARS.has(value) ? (`map<string,${value}>` as FieldType) : `map<string,message:${value}>`;
  }
  if (/^[A-Z]/.test(type)) return `message:${type}`;
  throw new Error(`protobuf schema: unknown type "${type}" in ${where}`);
}

/** Compiles a group's table; throws at module load on a malformed spec, so typos fail every test. */
export function compileTable(table: MessageTable): Map<string, CompiledMessage> {
  const out = new Map<string, CompiledMessage>();
  for (const [message, fields] of Object.entries(table)) {
    const compiled = new Map<number, FieldSpec>();
    for (const [num, spec] of Object.entries(fields)) {
      const where = `${message}.${num}`;
      const m = SPEC.exec(spec);
      if (!m || !/^[1-9][0-9]*$/.test(num))
        throw new Error(`protobuf schema: malformed field "${spec}" in ${where}`);
      const inline = m[1] === '^';
      compiled.set(Number(num), {
        name: inline ? '' : m[1]!,
        type: fieldType(m[3]!, where),
        repeated: m[4] !== undefined,
        keepZero: m[2] !== '',
        inline,
      });
    }
    out.set(message, compiled);
  }
  return out;
}
