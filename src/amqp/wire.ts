/**
 * Byte-level reader and writer for AMQP's big-endian primitives. Shared by the
 * method, property and field-table codecs. Integers are read byte by byte
 * rather than through a DataView: for the 1-8 byte fields of a small frame
 * that is faster and needs no view object per frame.
 */

import { AmqpFrameError } from "./errors.ts";
import { SYNTAX_ERROR } from "./spec.ts";

const utf8 = new TextDecoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
const TWO_32 = 0x1_0000_0000;

/** Decodes UTF-8, with a fast path for the short ASCII strings AMQP is full of. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len === 0) return "";
  if (len <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    }
  }
  return utf8.decode(bytes.subarray(start, end));
}

/** Like decodeUtf8 but returns undefined for invalid UTF-8 (so callers can keep the bytes). */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The error for a shortstr of `len` bytes (over 255); `what` names the field. */
export function shortstrTooLong(what: string, len: number): RangeError {
  return new RangeError(`${what}: shortstr is ${len} bytes, the limit is 255`);
}

/** Reads primitives from `bytes[pos, end)`; running past `end` is a 502 SYNTAX_ERROR. */
export class Reader {
  pos: number;
  #view: DataView | undefined;

  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) {
    this.pos = start;
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new AmqpFrameError(
        SYNTAX_ERROR,
        `truncated ${what}: needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`,
      );
    }
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1, "octet");
    return this.bytes[this.pos++]!;
  }

  i8(): number {
    return (this.u8() << 24) >> 24;
  }

  u16(): number {
    this.need(2, "short");
    const b = this.bytes, p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  i16(): number {
    return (this.u16() << 16) >> 16;
  }

  u32(): number {
    this.need(4, "long");
    const b = this.bytes, p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** Unsigned 64-bit: a number when it is a safe integer, otherwise a bigint. */
  u64(): number | bigint {
    const hi = this.u32();
    const lo = this.u32();
    if (hi < 0x20_0000) return hi * TWO_32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Signed 64-bit: a number when it is a safe integer, otherwise a bigint. */
  i64(): number | bigint {
    const hi = this.i32();
    const lo = this.u32();
    if (hi >= -0x20_0000 && hi < 0x20_0000) {
      const n = hi * TWO_32 + lo;
      if (Number.isSafeInteger(n)) return n;
    }
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  #dv(): DataView {
    return this.#view ??= new DataView(
      this.bytes.buffer,
      this.bytes.byteOffset,
      this.bytes.byteLength,
    );
  }

  f32(): number {
    this.need(4, "float");
    const v = this.#dv().getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8, "double");
    const v = this.#dv().getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view (not a copy) of the next n bytes. */
  bytesView(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  shortstr(): string {
    const len = this.u8();
    this.need(len, "shortstr");
    const s = decodeUtf8(this.bytes, this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /** A longstr as a copy of its bytes (it may be binary: SASL responses, AMQPLAIN tables). */
  longstrBytes(): Uint8Array {
    const len = this.u32();
    return this.bytesView(len, "longstr").slice();
  }
}

/**
 * A growable output buffer. One scratch instance is reused for every encode so
 * that encoding allocates only the final, exactly sized result.
 */
export class Writer {
  buf: Uint8Array;
  pos = 0;
  #view: DataView;

  readonly #initial: number;

  constructor(initial = 4096) {
    this.#initial = initial;
    this.buf = new Uint8Array(initial);
    this.#view = new DataView(this.buf.buffer);
  }

  /** Starts over; a buffer grown far past its initial size (one huge header) is let go. */
  reset(): this {
    this.pos = 0;
    if (this.buf.length > 16 * this.#initial) {
      this.buf = new Uint8Array(this.#initial);
      this.#view = new DataView(this.buf.buffer);
    }
    return this;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** A copy of what was written since `start` (default: everything). */
  finish(start = 0): Uint8Array {
    return this.buf.slice(start, this.pos);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    const b = this.buf, p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf, p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }

  /** Writes u32 at an earlier position (length prefixes filled in afterwards). */
  u32At(at: number, v: number): void {
    const b = this.buf;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
  }

  /** 64-bit two's complement of an integer number or bigint (range checked by the caller). */
  u64(v: number | bigint): void {
    if (typeof v === "number") {
      const lo = v % TWO_32;
      const hi = (v - lo) / TWO_32;
      // Negative numbers: floor division keeps hi/lo a valid two's complement pair.
      if (lo < 0) {
        this.u32(hi - 1);
        this.u32(lo + TWO_32);
      } else {
        this.u32(hi);
        this.u32(lo);
      }
      return;
    }
    const u = BigInt.asUintN(64, v);
    this.u32(Number(u >> 32n));
    this.u32(Number(u & 0xffff_ffffn));
  }

  f32(v: number): void {
    this.ensure(4);
    this.#view.setFloat32(this.pos, v);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  bytes(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Writes the UTF-8 of `s` without a length prefix and returns its byte length. */
  utf8(s: string): number {
    const n = s.length;
    this.ensure(n * 3);
    const b = this.buf, start = this.pos;
    let p = start;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Non-ASCII: let the platform encoder do the rest (surrogates etc.).
        const r = encoder.encodeInto(s.slice(i), b.subarray(p));
        p += r.written;
        break;
      }
      b[p++] = c;
    }
    this.pos = p;
    return p - start;
  }

  shortstr(s: string, what: string): void {
    const len = this.shortstrLength(s);
    if (len > 255) throw shortstrTooLong(what, len);
  }

  /**
   * Writes a shortstr and returns its byte length; over 255 nothing is
   * written and the caller throws `shortstrTooLong` (so the hot path never
   * builds the error's label).
   */
  shortstrLength(s: string): number {
    const lenAt = this.pos;
    this.u8(0);
    const len = this.utf8(s);
    if (len > 255) this.pos = lenAt;
    else this.buf[lenAt] = len;
    return len;
  }

  longstr(v: string | Uint8Array): void {
    if (typeof v === "string") {
      const lenAt = this.pos;
      this.u32(0);
      this.u32At(lenAt, this.utf8(v));
    } else {
      this.u32(v.length);
      this.bytes(v);
    }
  }
}
