/**
 * A minimal reader of the protocol-buffers wire format: tags, varints, length-delimited slices and
 * fixed-width numbers. It never allocates copies of the input and throws only `WireError`, which
 * the decoder turns into a 400 BadRequest.
 */

/** Wire types that occur in Kubernetes messages (3 and 4, groups, never do). */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** A malformed protobuf input: truncated, overlong varint, unknown wire type. */
export class WireError extends Error {
  override name = 'WireError';
}

/**
 * A cursor over one message's bytes. Callers read a tag with `tag()`, then the value with the
 * method matching its wire type, or `skip()` it; `done` is true at the end of the message.
 */
export class WireReader {
  private pos: number;
  private readonly end: number;
  private readonly buf: Uint8Array;

  /** Reads `buf[start, end)`; the default range is the whole buffer. */
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** True once every byte of the message has been consumed. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a field tag: its number and wire type. Field number 0 is malformed. */
  tag(): { field: number; wire: number } {
    const raw = this.varint();
    const field = Math.floor(raw / 8);
    if (field === 0) throw new WireError(`invalid field number 0 at byte ${this.pos}`);
    return { field, wire: raw % 8 };
  }

  /**
   * Reads an unsigned varint of up to 64 bits as a number; values above 2^53 lose precision,
   * which Kubernetes never sends except as negative int32/int64 (see `int64`).
   */
  varint(): number {
    let lo = 0;
    let shift = 0;
    // the low 28 bits fit exactly in a 32-bit int; the rest is accumulated by multiplication
    for (let i = 0; i < 4; i++) {
      const b = this.byte();
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return lo >>> 0;
      shift += 7;
    }
    let value = lo >>> 0;
    let scale = 2 ** 28;
    for (let i = 4; i < 10; i++) {
      const b = this.byte();
      if (i === 9 && b > 1) throw new WireError(`varint overflows 64 bits at byte ${this.pos}`);
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** Reads a varint as a signed 64-bit integer (two's complement), as a number. */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    // at or above 2^63 the double is rounded, so re-read the bytes exactly
    return v < 2 ** 63 ? v : Number(BigInt.asIntN(64, this.exact(start)));
  }

  /** Reads a varint as a signed 32-bit integer; negative values arrive sign-extended to 64 bits. */
  int32(): number {
    const start = this.pos;
    const v = this.varint();
    return v < 2 ** 31 ? v : Number(BigInt.asIntN(32, this.exact(start)));
  }

  /** Reads a varint as a bool. */
  bool(): boolean {
    return this.varint() !== 0;
  }

  /** Reads a length prefix and returns the bounds of the delimited bytes, advancing past them. */
  delimited(): { start: number; end: number } {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start)
      throw new WireError(`length ${len} at byte ${start} runs past the end of the message`);
    this.pos = start + len;
    return { start, end: start + len };
  }

  /** Reads length-delimited bytes as a view into the input. */
  bytes(): Uint8Array {
    const { start, end } = this.delimited();
    return this.buf.subarray(start, end);
  }

  /** Reads length-delimited bytes as UTF-8 text (invalid sequences become U+FFFD, as Go's JSON does). */
  string(): string {
    return decoder.decode(this.bytes());
  }

  /** A reader over the next length-delimited value, for nested messages and packed fields. */
  sub(): WireReader {
    const { start, end } = this.delimited();
    return new WireReader(this.buf, start, end);
  }

  /** Reads a little-endian IEEE 754 double (wire type 1). */
  double(): number {
    this.need(8);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  /** Skips a value of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE.varint:
        this.varint();
        return;
      case WIRE.fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE.bytes:
        this.delimited();
        return;
      case WIRE.fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${wire} at byte ${this.pos}`);
    }
  }

  /** The varint that ended at the current position and began at `start`, exactly. */
  private exact(start: number): bigint {
    let big = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++) {
      big |= BigInt(this.buf[p]! & 0x7f) << shift;
      shift += 7n;
    }
    return big;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new WireError(`truncated varint at byte ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new WireError(`truncated fixed-width value at byte ${this.pos}`);
  }
}

const decoder = new TextDecoder('utf-8');
