/**
 * AMQP field tables and arrays with RabbitMQ's type tags (which differ from
 * the 0-9-1 spec's list: RabbitMQ's errata are what every client speaks).
 *
 * Decoding gives plain JS values:
 *
 * | tag | wire type        | decoded as                                          |
 * | --- | ---------------- | --------------------------------------------------- |
 * | t   | boolean          | boolean                                             |
 * | b B | int8 / uint8     | number                                              |
 * | s u | int16 / uint16   | number                                              |
 * | I i | int32 / uint32   | number                                              |
 * | l   | int64            | number when safe, else bigint                       |
 * | f d | float32 / 64     | number                                              |
 * | D   | decimal          | AmqpDecimal { scale, value }                        |
 * | S   | longstr          | string (invalid UTF-8: FieldValue("S", bytes))      |
 * | x   | byte array       | Uint8Array                                          |
 * | A   | array            | unknown[]                                           |
 * | T   | timestamp (s)    | Date (beyond Date's range: FieldValue("T", bigint)) |
 * | F   | nested table     | Record<string, unknown>                             |
 * | V   | void             | null                                                |
 *
 * Encoding picks the tag from the JS type: boolean->t, integer in int32
 * range->I, other safe integer->l, other number->d, bigint->l, string->S,
 * Uint8Array->x, array->A, Date->T, AmqpDecimal->D, null/undefined->V,
 * plain object->F. To force a tag, wrap the value: `fieldValue("B", 7)`,
 * `fieldValue("T", 1700000000)`, `fieldValue("S", bytes)`.
 */

import { AmqpFrameError } from "./errors.ts";
import type { FieldTable } from "./field_table_type.ts";
export type { FieldTable };
import { SYNTAX_ERROR } from "./spec.ts";
import { decodeUtf8Strict, Reader, Writer } from "./wire.ts";

export type FieldTag =
  | "t"
  | "b"
  | "B"
  | "s"
  | "u"
  | "I"
  | "i"
  | "l"
  | "f"
  | "d"
  | "D"
  | "S"
  | "x"
  | "A"
  | "T"
  | "F"
  | "V";

/** A decimal: `value / 10 ** scale`. */
export class AmqpDecimal {
  constructor(readonly scale: number, readonly value: number) {}
}

/** A value with an explicit field-table type tag (a class, so it never looks like a nested table). */
export class FieldValue {
  constructor(readonly type: FieldTag, readonly value: unknown) {}
}

export function fieldValue(type: FieldTag, value: unknown): FieldValue {
  return new FieldValue(type, value);
}

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Largest Date in ms, per ECMAScript. */
const MAX_DATE_SECONDS = 8.64e12;
/** Nesting deeper than this is refused (a hostile peer could otherwise blow the stack). */
const MAX_DEPTH = 64;

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

function syntax(msg: string): never {
  throw new AmqpFrameError(SYNTAX_ERROR, msg);
}

function readValue(r: Reader, depth: number): unknown {
  const tag = r.u8();
  switch (tag) {
    case 0x74: // t
      return r.u8() !== 0;
    case 0x62: // b
      return r.i8();
    case 0x42: // B
      return r.u8();
    case 0x73: // s
      return r.i16();
    case 0x75: // u
      return r.u16();
    case 0x49: // I
      return r.i32();
    case 0x69: // i
      return r.u32();
    case 0x6c: // l
      return r.i64();
    case 0x66: // f
      return r.f32();
    case 0x64: // d
      return r.f64();
    case 0x44: { // D
      const scale = r.u8();
      return new AmqpDecimal(scale, r.u32());
    }
    case 0x53: { // S
      const len = r.u32();
      const bytes = r.bytesView(len, "longstr value");
      const s = decodeUtf8Strict(bytes);
      return s ?? new FieldValue("S", bytes.slice());
    }
    case 0x78: { // x
      const len = r.u32();
      return r.bytesView(len, "byte array").slice();
    }
    case 0x41: { // A
      const len = r.u32();
      r.need(len, "array");
      const end = r.pos + len;
      const inner = new Reader(r.bytes, r.pos, end);
      const out: unknown[] = [];
      if (depth >= MAX_DEPTH) syntax("field array nested too deeply");
      while (inner.pos < end) out.push(readValue(inner, depth + 1));
      r.pos = end;
      return out;
    }
    case 0x54: { // T
      const secs = r.u64();
      if (typeof secs === "number" && secs <= MAX_DATE_SECONDS) return new Date(secs * 1000);
      return new FieldValue("T", BigInt(secs));
    }
    case 0x46: { // F
      const len = r.u32();
      r.need(len, "table");
      const end = r.pos + len;
      if (depth >= MAX_DEPTH) syntax("field table nested too deeply");
      const t = readTableBody(new Reader(r.bytes, r.pos, end), depth + 1);
      r.pos = end;
      return t;
    }
    case 0x56: // V
      return null;
    default:
      return syntax(`unknown field type 0x${tag.toString(16)} in field table`);
  }
}

function readTableBody(r: Reader, depth: number): FieldTable {
  const out: FieldTable = {};
  while (r.pos < r.end) {
    const key = r.shortstr();
    const value = readValue(r, depth);
    // defineProperty: a key named "__proto__" must stay a plain key.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Reads a length-prefixed table (as found in method fields and properties). */
export function readTable(r: Reader): FieldTable {
  const len = r.u32();
  r.need(len, "table");
  const end = r.pos + len;
  const t = readTableBody(new Reader(r.bytes, r.pos, end), 0);
  r.pos = end;
  return t;
}

/**
 * Decodes a field table's body (the bytes after its 4-byte length prefix;
 * also the format of an AMQPLAIN SASL response). Throws AmqpFrameError 502.
 */
export function decodeFieldTable(bytes: Uint8Array): FieldTable {
  return readTableBody(new Reader(bytes), 0);
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

function checkInt(v: unknown, min: number, max: number, tag: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`field value of type '${tag}' must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function toInt64(v: unknown, tag: string, min: bigint, max: bigint): number | bigint {
  if (typeof v === "bigint") {
    if (v < min || v > max) throw new RangeError(`field value of type '${tag}' out of range`);
    return v;
  }
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= Number(min)) return v;
  throw new RangeError(`field value of type '${tag}' must be a safe integer or bigint`);
}

function writeTyped(w: Writer, tag: FieldTag, v: unknown, depth: number): void {
  w.u8(tag.charCodeAt(0));
  switch (tag) {
    case "t":
      w.u8(v ? 1 : 0);
      return;
    case "b":
      w.u8(checkInt(v, -128, 127, tag) & 0xff);
      return;
    case "B":
      w.u8(checkInt(v, 0, 255, tag));
      return;
    case "s":
      w.u16(checkInt(v, -32768, 32767, tag) & 0xffff);
      return;
    case "u":
      w.u16(checkInt(v, 0, 65535, tag));
      return;
    case "I":
      w.u32(checkInt(v, INT32_MIN, INT32_MAX, tag));
      return;
    case "i":
      w.u32(checkInt(v, 0, 0xffff_ffff, tag));
      return;
    case "l":
      w.u64(toInt64(v, tag, INT64_MIN, INT64_MAX));
      return;
    case "T":
      w.u64(
        v instanceof Date ? Math.floor(v.getTime() / 1000) : toInt64(v, tag, 0n, 2n ** 64n - 1n),
      );
      return;
    case "f":
    case "d":
      if (typeof v !== "number") {
        throw new TypeError(`field value of type '${tag}' must be a number`);
      }
      if (tag === "f") w.f32(v);
      else w.f64(v);
      return;
    case "D": {
      const d = v as { scale?: unknown; value?: unknown } | null;
      w.u8(checkInt(d?.scale, 0, 255, "D scale"));
      w.u32(checkInt(d?.value, 0, 0xffff_ffff, "D value"));
      return;
    }
    case "S":
      if (typeof v !== "string" && !(v instanceof Uint8Array)) {
        throw new TypeError("field value of type 'S' must be a string or Uint8Array");
      }
      w.longstr(v);
      return;
    case "x":
      if (!(v instanceof Uint8Array)) {
        throw new TypeError("field value of type 'x' must be a Uint8Array");
      }
      w.u32(v.length);
      w.bytes(v);
      return;
    case "A": {
      if (!Array.isArray(v)) throw new TypeError("field value of type 'A' must be an array");
      if (depth >= MAX_DEPTH) throw new RangeError("field array nested too deeply");
      const lenAt = w.pos;
      w.u32(0);
      for (const item of v) writeValue(w, item, depth + 1);
      w.u32At(lenAt, w.pos - lenAt - 4);
      return;
    }
    case "F":
      if (typeof v !== "object" || v === null) {
        throw new TypeError("field value of type 'F' must be an object");
      }
      if (depth >= MAX_DEPTH) throw new RangeError("field table nested too deeply");
      writeTable(w, v as FieldTable, depth + 1);
      return;
    case "V":
      return;
    default:
      throw new TypeError(`unknown field type tag '${tag as string}'`);
  }
}

/** The tag a plain JS value is encoded with (see the module comment). */
export function tagOf(v: unknown): FieldTag {
  switch (typeof v) {
    case "boolean":
      return "t";
    case "number":
      if (Number.isInteger(v)) {
        if (v >= INT32_MIN && v <= INT32_MAX) return "I";
        if (Number.isSafeInteger(v)) return "l";
      }
      return "d";
    case "bigint":
      return "l";
    case "string":
      return "S";
    case "undefined":
      return "V";
    case "object":
      if (v === null) return "V";
      if (v instanceof Uint8Array) return "x";
      if (Array.isArray(v)) return "A";
      if (v instanceof Date) return "T";
      if (v instanceof AmqpDecimal) return "D";
      return "F";
    default:
      throw new TypeError(`cannot encode a ${typeof v} in a field table`);
  }
}

function writeValue(w: Writer, v: unknown, depth: number): void {
  if (v instanceof FieldValue) writeTyped(w, v.type, v.value, depth);
  else writeTyped(w, tagOf(v), v, depth);
}

/** Writes a length-prefixed table. */
export function writeTable(w: Writer, t: FieldTable, depth = 0): void {
  const lenAt = w.pos;
  w.u32(0);
  for (const key of Object.keys(t)) {
    w.shortstr(key, "field table key");
    writeValue(w, t[key], depth);
  }
  w.u32At(lenAt, w.pos - lenAt - 4);
}

/** Encodes a field table's body (no 4-byte length prefix; see decodeFieldTable). */
export function encodeFieldTable(t: FieldTable): Uint8Array {
  const w = new Writer(256);
  writeTable(w, t);
  return w.finish(4);
}
