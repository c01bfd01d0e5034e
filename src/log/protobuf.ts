/**
 * A tiny protobuf *encoder*: just the wire types TensorBoard's messages need.
 *   wire 0 varint (int32/int64/uint/bool/enum), wire 1 fixed64 (double),
 *   wire 2 length-delimited (string, bytes, sub-message), wire 5 fixed32 (float).
 * Fields are written in the order they are called; proto3 readers accept any order, and a
 * field written with its default value is still valid (it is how an empty sub-message such as a
 * rank-0 `tensor_shape` is marked present).
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private buf = new Uint8Array(64);
  private pos = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** Unsigned varint of a non-negative integer up to 2^53 (arithmetic, not 32-bit bit ops). */
  private rawVarint(value: number): void {
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  private key(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private rawBytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** int64 / int32 / enum: negative values are 10-byte two's complement varints, as protobuf does. */
  int64(field: number, value: number): this {
    if (!Number.isSafeInteger(value)) throw new Error(`protobuf: int64 field ${field} needs a safe integer (got ${value})`);
    this.key(field, WIRE_VARINT);
    if (value >= 0) {
      this.rawVarint(value);
    } else {
      let v = BigInt.asUintN(64, BigInt(value));
      this.reserve(10);
      while (v >= 0x80n) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
    }
    return this;
  }

  int32(field: number, value: number): this { return this.int64(field, value | 0); }
  enum(field: number, value: number): this { return this.int64(field, value); }
  bool(field: number, value: boolean): this { return this.int64(field, value ? 1 : 0); }

  double(field: number, value: number): this {
    this.key(field, WIRE_FIXED64);
    this.scratch.setFloat64(0, value, true);
    this.rawBytes(new Uint8Array(this.scratch.buffer, 0, 8));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    this.scratch.setFloat32(0, value, true);
    this.rawBytes(new Uint8Array(this.scratch.buffer, 0, 4));
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, WIRE_LEN);
    this.rawVarint(data.length);
    this.rawBytes(data);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, utf8.encode(text));
  }

  /** A sub-message, built by `build` on a fresh writer (empty = present but all defaults). */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    build(sub);
    return this.bytes(field, sub.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Encodes one message: `encode(w => w.string(1, 'x'))`. */
export function encodeMessage(build: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter();
  build(w);
  return w.finish();
}
