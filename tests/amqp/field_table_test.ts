import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import fc from "fast-check";
import {
  AmqpDecimal,
  decodeFieldTable,
  encodeFieldTable,
  FieldValue,
  fieldValue,
} from "../../src/amqp/field_table.ts";
import { AmqpFrameError } from "../../src/amqp/errors.ts";
import { fieldTableArb, hex, strHex } from "./helpers.ts";

/** One entry per RabbitMQ field type, written out by hand from the wire format. */
const EVERY_TYPE_BYTES = hex(`
  01 74 | 74 01
  01 62 | 62 fe
  01 42 | 42 c8
  01 73 | 73 fe d4
  01 75 | 75 ea 60
  01 49 | 49 ff fe ee 90
  01 69 | 69 ee 6b 28 00
  01 6c | 6c ff ff ff ff ff ff ff fb
  01 66 | 66 3f c0 00 00
  01 64 | 64 40 02 00 00 00 00 00 00
  01 44 | 44 02 00 00 30 39
  01 53 | 53 00 00 00 03 68 c3 a9
  01 78 | 78 00 00 00 02 01 02
  01 41 | 41 00 00 00 0b 49 00 00 00 01 53 00 00 00 01 61
  01 54 | 54 00 00 00 00 65 53 f1 00
  01 46 | 46 00 00 00 03 01 6b 56
  01 56 | 56
`);

function syntaxError(e: unknown): boolean {
  return e instanceof AmqpFrameError && e.code === 502;
}

Deno.test("decodeFieldTable() reads every RabbitMQ field type", () => {
  assertEquals(decodeFieldTable(EVERY_TYPE_BYTES), {
    t: true,
    b: -2,
    B: 200,
    s: -300,
    u: 60000,
    I: -70000,
    i: 4_000_000_000,
    l: -5,
    f: 1.5,
    d: 2.25,
    D: new AmqpDecimal(2, 12345),
    S: "hé",
    x: new Uint8Array([1, 2]),
    A: [1, "a"],
    T: new Date(1_700_000_000_000),
    F: { k: null },
    V: null,
  });
});

Deno.test("encodeFieldTable() writes every field type, with typed wrappers where JS has no type", () => {
  const bytes = encodeFieldTable({
    t: true,
    b: fieldValue("b", -2),
    B: fieldValue("B", 200),
    s: fieldValue("s", -300),
    u: fieldValue("u", 60000),
    I: -70000,
    i: fieldValue("i", 4_000_000_000),
    l: fieldValue("l", -5),
    f: fieldValue("f", 1.5),
    d: 2.25,
    D: new AmqpDecimal(2, 12345),
    S: "hé",
    x: new Uint8Array([1, 2]),
    A: [1, "a"],
    T: new Date(1_700_000_000_000),
    F: { k: null },
    V: undefined,
  });
  assertEquals(bytes, EVERY_TYPE_BYTES);
});

Deno.test("encodeFieldTable() picks the tag from the JS type", () => {
  const tagOf = (v: unknown) => {
    const bytes = encodeFieldTable({ k: v });
    return String.fromCharCode(bytes[2]!);
  };
  assertEquals(tagOf(false), "t");
  assertEquals(tagOf(7), "I");
  assertEquals(tagOf(-(2 ** 31)), "I");
  assertEquals(tagOf(2 ** 31), "l");
  assertEquals(tagOf(-(2 ** 40)), "l");
  assertEquals(tagOf(0.5), "d");
  assertEquals(tagOf(2 ** 60), "d"); // not a safe integer: a double keeps its value
  assertEquals(tagOf(NaN), "d");
  assertEquals(tagOf(5n), "l");
  assertEquals(tagOf("s"), "S");
  assertEquals(tagOf(new Uint8Array(1)), "x");
  assertEquals(tagOf([]), "A");
  assertEquals(tagOf({}), "F");
  assertEquals(tagOf(null), "V");
  assertEquals(tagOf(undefined), "V");
  assertEquals(tagOf(new Date(0)), "T");
  assertEquals(tagOf(new AmqpDecimal(0, 1)), "D");
  assertEquals(tagOf(fieldValue("T", 1)), "T");
});

Deno.test("decodeFieldTable() returns large int64 values as bigint and safe ones as number", () => {
  const big = decodeFieldTable(hex(`01 6c | 6c 7f ff ff ff ff ff ff ff`));
  assertEquals(big, { l: 2n ** 63n - 1n });
  const safe = decodeFieldTable(hex(`01 6c | 6c 00 1f ff ff ff ff ff ff`));
  assertEquals(safe, { l: Number.MAX_SAFE_INTEGER });
  const neg = decodeFieldTable(hex(`01 6c | 6c 80 00 00 00 00 00 00 00`));
  assertEquals(neg, { l: -(2n ** 63n) });
});

Deno.test("decodeFieldTable() keeps a longstr that is not UTF-8 as bytes and re-encodes it unchanged", () => {
  const bytes = hex(`01 53 | 53 00 00 00 02 ff fe`);
  const t = decodeFieldTable(bytes);
  assert(t.S instanceof FieldValue);
  assertEquals(t.S, new FieldValue("S", new Uint8Array([0xff, 0xfe])));
  assertEquals(encodeFieldTable(t), bytes);
});

Deno.test("decodeFieldTable() keeps a key named __proto__ as a plain key", () => {
  const t = decodeFieldTable(hex(`09 ${strHex("__proto__")} | 49 00 00 00 01`));
  assertEquals(Object.keys(t), ["__proto__"]);
  assertEquals(Object.getPrototypeOf(t), Object.prototype);
  assertEquals(encodeFieldTable(t), hex(`09 ${strHex("__proto__")} | 49 00 00 00 01`));
});

Deno.test("field tables round-trip through encode and decode", () => {
  fc.assert(
    fc.property(fieldTableArb, (t) => {
      assertEquals(decodeFieldTable(encodeFieldTable(t)), t);
    }),
    { numRuns: 300 },
  );
});

Deno.test("decodeFieldTable() rejects an unknown type tag with 502 SYNTAX_ERROR", () => {
  assertThrows(() => decodeFieldTable(hex(`01 6b | 5a 00`)), syntaxError);
});

Deno.test("decodeFieldTable() rejects truncated values with 502 SYNTAX_ERROR", async (t) => {
  // Every strict prefix that cuts into an entry must fail, never decode garbage.
  for (let n = 1; n < EVERY_TYPE_BYTES.length; n++) {
    await t.step(`the first ${n} bytes`, () => {
      const prefix = EVERY_TYPE_BYTES.subarray(0, n);
      let complete = true;
      try {
        decodeFieldTable(prefix);
      } catch (e) {
        assert(syntaxError(e), `prefix ${n}: ${e}`);
        complete = false;
      }
      if (complete) {
        // Only prefixes that end exactly on an entry boundary may decode.
        assert(Object.keys(decodeFieldTable(prefix)).length > 0, `prefix ${n}`);
      }
    });
  }
  // A nested table whose length runs past its parent.
  assertThrows(() => decodeFieldTable(hex(`01 46 | 46 00 00 00 09 01 6b 56`)), syntaxError);
  // An array whose length runs past the table.
  assertThrows(() => decodeFieldTable(hex(`01 41 | 41 00 00 00 05 49 00`)), syntaxError);
});

Deno.test("decodeFieldTable() refuses nesting deep enough to exhaust the stack", () => {
  // 100 nested arrays: "A" + length, innermost empty.
  const depth = 100;
  const parts: number[] = [];
  for (let i = 0; i < depth; i++) {
    const inner = (depth - i - 1) * 5;
    parts.push(0x41, inner >>> 24, inner >>> 16, inner >>> 8, inner & 0xff);
  }
  const bytes = new Uint8Array([1, 0x6b, ...parts]);
  assertThrows(() => decodeFieldTable(bytes), syntaxError);
});

Deno.test("encodeFieldTable() rejects values it cannot represent", () => {
  assertThrows(() => encodeFieldTable({ k: fieldValue("B", 256) }), RangeError);
  assertThrows(() => encodeFieldTable({ k: fieldValue("b", 1.5) }), RangeError);
  assertThrows(() => encodeFieldTable({ k: 2n ** 63n }), RangeError);
  assertThrows(() => encodeFieldTable({ k: () => 1 }), TypeError);
  assertThrows(() => encodeFieldTable({ k: Symbol("s") }), TypeError);
  assertThrows(() => encodeFieldTable({ ["k".repeat(256)]: 1 }), RangeError);
  assertThrows(() => encodeFieldTable({ k: fieldValue("x", "not bytes") }), TypeError);
});
