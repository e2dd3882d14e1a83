/** Shared test helpers for the AMQP codec tests: hex literals and fast-check arbitraries. */

import fc from "fast-check";
import { AmqpDecimal } from "../../src/amqp/field_table.ts";
import { encodeMethodFrame } from "../../src/amqp/frame.ts";
import type { FieldDef, MethodDef, MethodName } from "../../src/amqp/spec.ts";

/**
 * encodeMethodFrame() for a method known only at run time (a loop over the
 * METHODS table), where the compiler cannot check the name or the arguments.
 */
export function encodeAnyMethodFrame(
  channel: number,
  name: string,
  args: Record<string, unknown>,
): Uint8Array {
  return encodeMethodFrame(channel, name as MethodName, args);
}

/** Bytes from a hex string with optional spaces/newlines and `|` separators: "01 00 | ce". */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/[\s|]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Hex of a short ASCII/UTF-8 string, for building expected bytes readably. */
export function strHex(s: string): string {
  return Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Strings whose UTF-8 is at most `maxBytes` (shortstr limit is 255). */
export const shortstrArb = fc.string({ unit: "binary", maxLength: 60 })
  .filter((s) => new TextEncoder().encode(s).length <= 255);

const u64Arb = fc.oneof(
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
);

/**
 * Field-table values that decode back to exactly what was encoded (the
 * "normal form": e.g. -0 becomes 0 and small bigints become numbers, so those
 * are left out).
 */
export const fieldValueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.boolean(),
    fc.integer(),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ noDefaultInfinity: false }).filter((d) => !Number.isInteger(d)),
    fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) }),
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n }),
    ),
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.uint8Array({ maxLength: 20 }),
    fc.integer({ min: 0, max: 8_000_000_000 }).map((s) => new Date(s * 1000)),
    fc.record({ scale: fc.integer({ min: 0, max: 255 }), value: fc.nat({ max: 0xffff_ffff }) })
      .map(({ scale, value }) => new AmqpDecimal(scale, value)),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    tie("table"),
  ),
  table: fc.dictionary(fc.string({ maxLength: 12 }), tie("value"), {
    maxKeys: 5,
    noNullPrototype: true,
  }),
})).value;

export const fieldTableArb = fc.dictionary(fc.string({ maxLength: 12 }), fieldValueArb, {
  maxKeys: 6,
  noNullPrototype: true,
}) as fc.Arbitrary<Record<string, unknown>>;

function fieldArb(f: FieldDef): fc.Arbitrary<unknown> {
  switch (f.type) {
    case "octet":
      return fc.integer({ min: 0, max: 0xff });
    case "short":
      return fc.integer({ min: 0, max: 0xffff });
    case "long":
      return fc.nat({ max: 0xffff_ffff });
    case "longlong":
    case "timestamp":
      return u64Arb;
    case "shortstr":
      return shortstrArb;
    case "longstr":
      return fc.uint8Array({ maxLength: 40 });
    case "bit":
      return fc.boolean();
    case "table":
      return fieldTableArb;
  }
}

/** Random arguments for a method, one per field, in the decoded normal form. */
export function argsArb(def: MethodDef): fc.Arbitrary<Record<string, unknown>> {
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of def.fields) rec[f.name] = fieldArb(f);
  return fc.record(rec, { noNullPrototype: true });
}
