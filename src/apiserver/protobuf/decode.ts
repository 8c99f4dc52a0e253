/**
 * Decodes one protobuf message into the JSON object Kubernetes' Go types would print for it, by
 * walking Flotilla's schema table. Unknown field numbers are skipped (a newer client's fields, as
 * unknown JSON fields are dropped); a known field whose message has no schema is refused.
 */
import type { Json, JsonObject } from '../../api/meta.ts';
import { type FieldSpec, MESSAGES, type ScalarType, SPECIAL_MESSAGES } from './schema.ts';
import { WIRE, WireError, WireReader } from './wire.ts';

/** A body uses a message Flotilla has no schema for; the caller answers 415. */
export class SchemaGapError extends Error {
  override name = 'SchemaGapError';
  /** The message without a schema. */
  readonly messageName: string;
  constructor(messageName: string, path: string) {
    super(`field ${path} holds a ${messageName}, which this server cannot decode from protobuf`);
    this.messageName = messageName;
  }
}

const utf8 = new TextDecoder('utf-8');

function wireOf(scalar: ScalarType): number {
  if (scalar === 'string' || scalar === 'bytes') return WIRE.bytes;
  return scalar === 'double' ? WIRE.fixed64 : WIRE.varint;
}

function readScalar(r: WireReader, scalar: ScalarType): Json {
  switch (scalar) {
    case 'string':
      return r.string();
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'bool':
      return r.bool();
    case 'double':
      return r.double();
  }
}

function expectWire(got: number, want: number, path: string): void {
  if (got !== want) throw new WireError(`field ${path} has wire type ${got}, expected ${want}`);
}

/** Decodes the message `name` from `r` (the reader spans exactly that message). */
export function decodeMessage(r: WireReader, name: string, path: string): Json | undefined {
  if (SPECIAL_MESSAGES.has(name)) return decodeSpecial(r, name, path);
  const schema = MESSAGES.get(name);
  if (!schema) {
    // Go's marshallers write every non-pointer struct and scalar, so an all-zero `status` arrives
    // on every create: a message of zeros carries nothing and decodes to {} without a schema
    if (allZero(r)) return {};
    throw new SchemaGapError(name, path);
  }
  const values = new Map<FieldSpec, Json | undefined>();
  while (!r.done) {
    const { field, wire } = r.tag();
    const spec = schema.get(field);
    if (!spec) {
      r.skip(wire);
      continue;
    }
    const at = spec.inline ? path : `${path}.${spec.name}`;
    const value = readField(r, spec, wire, at, values.get(spec));
    values.set(spec, value);
  }
  const out: JsonObject = {};
  for (const [spec, value] of values) {
    if (value === undefined) continue;
    if (spec.inline) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, value);
      continue;
    }
    if (!spec.keepZero && (value === '' || value === 0 || value === false)) continue;
    out[spec.name] = value;
  }
  return out;
}

/** True when every field of the message is a zero varint or an empty (or all-zero) message. */
function allZero(r: WireReader): boolean {
  while (!r.done) {
    const { wire } = r.tag();
    if (wire === WIRE.varint) {
      if (r.varint() !== 0) return false;
    } else if (wire === WIRE.bytes) {
      if (!allZero(r.sub())) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** Reads one occurrence of a field, folding it into what earlier occurrences produced. */
function readField(
  r: WireReader,
  spec: FieldSpec,
  wire: number,
  path: string,
  prior: Json | undefined,
): Json | undefined {
  const type = spec.type;
  if (type.startsWith('map<string,')) {
    expectWire(wire, WIRE.bytes, path);
    const map = (prior ?? {}) as JsonObject;
    const [key, value] = readMapEntry(r.sub(), type.slice('map<string,'.length, -1), path);
    map[key] = value;
    return map;
  }
  if (type.startsWith('message:')) {
    expectWire(wire, WIRE.bytes, path);
    const value = decodeMessage(r.sub(), type.slice('message:'.length), path);
    if (!spec.repeated) return value;
    const list = (prior ?? []) as Json[];
    list.push(value ?? null);
    return list;
  }
  const scalar = type as ScalarType;
  const want = wireOf(scalar);
  if (!spec.repeated) {
    expectWire(wire, want, path);
    return readScalar(r, scalar);
  }
  const list = (prior ?? []) as Json[];
  if (wire === WIRE.bytes && want !== WIRE.bytes) {
    // a packed repeated number: one length-delimited run of values
    const packed = r.sub();
    while (!packed.done) list.push(readScalar(packed, scalar));
  } else {
    expectWire(wire, want, path);
    list.push(readScalar(r, scalar));
  }
  return list;
}

function readMapEntry(r: WireReader, valueType: string, path: string): [string, Json] {
  let key = '';
  let value: Json | undefined;
  const isMessage = valueType.startsWith('message:');
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      expectWire(wire, WIRE.bytes, `${path} key`);
      key = r.string();
    } else if (field === 2) {
      if (isMessage) {
        expectWire(wire, WIRE.bytes, `${path} value`);
        value = decodeMessage(r.sub(), valueType.slice('message:'.length), `${path}[${key}]`);
      } else {
        expectWire(wire, wireOf(valueType as ScalarType), `${path} value`);
        value = readScalar(r, valueType as ScalarType);
      }
    } else {
      r.skip(wire);
    }
  }
  if (value === undefined) {
    // an absent value is the type's zero value
    value = isMessage
      ? (decodeMessage(new WireReader(new Uint8Array(0)), valueType.slice('message:'.length), path) ?? null)
      : zero(valueType);
  }
  return [key, value];
}

function zero(scalar: string): Json {
  return scalar === 'string' || scalar === 'bytes' ? '' : scalar === 'bool' ? false : 0;
}

/** Reads the fields of a small fixed message into a number → value record. */
function fields(
  r: WireReader,
  shape: Record<number, ScalarType>,
  path: string,
): Record<number, Json | Uint8Array> {
  const out: Record<number, Json | Uint8Array> = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    const scalar = shape[field];
    if (scalar === undefined) {
      r.skip(wire);
      continue;
    }
    expectWire(wire, wireOf(scalar), path);
    out[field] = scalar === 'bytes' ? r.bytes() : readScalar(r, scalar);
  }
  return out;
}

function decodeSpecial(r: WireReader, name: string, path: string): Json | undefined {
  switch (name) {
    case 'Time':
    case 'MicroTime': {
      // metav1.Time/MicroTime: 1 seconds int64, 2 nanos int32; Go writes nothing for the zero time
      if (r.done) return undefined;
      const f = fields(r, { 1: 'int64', 2: 'int32' }, path);
      return rfc3339(Number(f[1] ?? 0), Number(f[2] ?? 0), name === 'MicroTime', path);
    }
    case 'Duration': {
      // metav1.Duration: 1 duration int64 nanoseconds
      const f = fields(r, { 1: 'int64' }, path);
      return goDuration(Number(f[1] ?? 0));
    }
    case 'IntOrString': {
      // intstr.IntOrString: 1 type int64 (0 int, 1 string), 2 intVal int32, 3 strVal string
      const f = fields(r, { 1: 'int64', 2: 'int32', 3: 'string' }, path);
      return (f[1] === 1 ? (f[3] ?? '') : (f[2] ?? 0)) as Json;
    }
    case 'Quantity': {
      // resource.Quantity: 1 string
      const f = fields(r, { 1: 'string' }, path);
      return (f[1] ?? '0') as Json;
    }
    case 'FieldsV1': {
      // metav1.FieldsV1: 1 Raw bytes holding JSON
      const raw = fields(r, { 1: 'bytes' }, path)[1] as Uint8Array | undefined;
      if (raw === undefined || raw.length === 0) return undefined;
      try {
        return JSON.parse(utf8.decode(raw)) as Json;
      } catch {
        throw new WireError(`field ${path} does not hold JSON`);
      }
    }
    default:
      throw new SchemaGapError(name, path);
  }
}

function rfc3339(seconds: number, nanos: number, micro: boolean, path: string): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime()) || nanos < 0 || nanos > 999_999_999) {
    throw new WireError(`field ${path} holds an out-of-range time`);
  }
  const iso = date.toISOString().slice(0, -5); // drop ".sssZ"
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

/** Formats nanoseconds as Go's `time.Duration.String()` does (`1h2m3.5s`, `250ms`, `0s`). */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const u = Math.abs(ns);
  const frac = (n: number, digits: number): string => {
    const s = String(n).padStart(digits, '0').replace(/0+$/, '');
    return s === '' ? '' : `.${s}`;
  };
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${Math.floor(u / 1e3)}${frac(u % 1e3, 3)}µs`;
  if (u < 1e9) return `${sign}${Math.floor(u / 1e6)}${frac(u % 1e6, 6)}ms`;
  const secs = Math.floor(u / 1e9);
  const s = `${secs % 60}${frac(u % 1e9, 9)}s`;
  const h = Math.floor(secs / 3600);
  const m = Math.floor(secs / 60) % 60;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}
