import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import fc from "fast-check";
import { AmqpFrameError } from "../../src/amqp/errors.ts";
import { encodeHeaderFrame, type Frame, FrameParser } from "../../src/amqp/frame.ts";
import type { BasicProperties } from "../../src/amqp/properties.ts";
import { BASIC_PROPERTIES, FRAME_END, FRAME_HEADER } from "../../src/amqp/spec.ts";
import { fieldTableArb, hex, shortstrArb } from "./helpers.ts";

function parseOne(bytes: Uint8Array): Frame {
  const p = new FrameParser({ frameMax: 0 });
  p.push(bytes);
  const f = p.next();
  assert(f !== null);
  return f;
}

const ALL: BasicProperties = {
  contentType: "a",
  contentEncoding: "b",
  headers: {},
  deliveryMode: 2,
  priority: 9,
  correlationId: "c",
  replyTo: "d",
  expiration: "e",
  messageId: "f",
  timestamp: 1,
  type: "g",
  userId: "h",
  appId: "i",
  clusterId: "j",
};

/** A content header with all 14 properties: flags 0xfffc, then each in spec order. */
const ALL_BYTES = hex(`
  02 00 05 00 00 00 30
  00 3c 00 00 | 00 00 00 00 00 00 00 07 | ff fc
  01 61 | 01 62 | 00 00 00 00 | 02 | 09 | 01 63 | 01 64 | 01 65 | 01 66
  00 00 00 00 00 00 00 01 | 01 67 | 01 68 | 01 69 | 01 6a
  ce
`);

Deno.test("the generated property list has RabbitMQ's 14 properties and flag bits", () => {
  assertEquals(BASIC_PROPERTIES.map((p) => p.name), Object.keys(ALL));
  assertEquals(BASIC_PROPERTIES.map((p) => p.flag), [
    0x8000,
    0x4000,
    0x2000,
    0x1000,
    0x800,
    0x400,
    0x200,
    0x100,
    0x80,
    0x40,
    0x20,
    0x10,
    0x8,
    0x4,
  ]);
});

Deno.test("encodeHeaderFrame() writes all 14 properties in spec order", () => {
  assertEquals(encodeHeaderFrame(5, 60, 7, ALL), ALL_BYTES);
});

Deno.test("FrameParser decodes all 14 properties", () => {
  assertEquals(parseOne(ALL_BYTES), {
    type: "header",
    channel: 5,
    classId: 60,
    bodySize: 7,
    properties: ALL,
  });
});

Deno.test("only present properties are written, flagged by their bit", () => {
  assertEquals(
    encodeHeaderFrame(1, 60, 0, { deliveryMode: 2, appId: "x" }),
    hex(`02 00 01 00 00 00 11 | 00 3c 00 00 00 00 00 00 00 00 00 00 | 10 08 | 02 | 01 78 | ce`),
  );
  assertEquals(
    encodeHeaderFrame(1, 60, 0, {}),
    hex(`02 00 01 00 00 00 0e | 00 3c 00 00 00 00 00 00 00 00 00 00 | 00 00 | ce`),
  );
});

const propsArb: fc.Arbitrary<BasicProperties> = fc.record({
  contentType: shortstrArb,
  contentEncoding: shortstrArb,
  headers: fieldTableArb,
  deliveryMode: fc.integer({ min: 0, max: 255 }),
  priority: fc.integer({ min: 0, max: 255 }),
  correlationId: shortstrArb,
  replyTo: shortstrArb,
  expiration: shortstrArb,
  messageId: shortstrArb,
  timestamp: fc.oneof(
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
  ),
  type: shortstrArb,
  userId: shortstrArb,
  appId: shortstrArb,
  clusterId: shortstrArb,
}, { requiredKeys: [], noNullPrototype: true });

Deno.test("any subset of properties round-trips through a content header", () => {
  fc.assert(
    fc.property(propsArb, fc.integer({ min: 0, max: 2 ** 40 }), (props, bodySize) => {
      assertEquals(parseOne(encodeHeaderFrame(3, 60, bodySize, props)), {
        type: "header",
        channel: 3,
        classId: 60,
        bodySize,
        properties: props,
      });
    }),
    { numRuns: 300 },
  );
});

function headerWithFlags(flags: string, rest = ""): Uint8Array {
  const payload = hex(`00 3c 00 00 00 00 00 00 00 00 00 00 ${flags} ${rest}`);
  const f = new Uint8Array(payload.length + 8);
  f.set([FRAME_HEADER, 0, 1, 0, 0, 0, payload.length]);
  f.set(payload, 7);
  f[f.length - 1] = FRAME_END;
  return f;
}

function syntax(e: unknown): boolean {
  return e instanceof AmqpFrameError && e.code === 502;
}

Deno.test("a set continuation bit or unknown flag bit is a 502 SYNTAX_ERROR", () => {
  // Continuation bit 0: further flag words would name properties basic does not have.
  assertThrows(() => parseOne(headerWithFlags("00 01", "00 00")), syntax);
  // Bit 1: a 15th property.
  assertThrows(() => parseOne(headerWithFlags("00 02")), syntax);
});

Deno.test("a truncated property list or extra bytes after it are a 502 SYNTAX_ERROR", () => {
  assertThrows(() => parseOne(headerWithFlags("80 00", "05 61")), syntax);
  assertThrows(() => parseOne(headerWithFlags("10 00")), syntax);
  assertThrows(() => parseOne(headerWithFlags("10 00", "02 00")), syntax);
  assertThrows(() => parseOne(hex(`02 00 01 00 00 00 04 00 3c 00 00 ce`)), syntax);
});

Deno.test("encodeHeaderFrame() rejects property values of the wrong type", () => {
  assertThrows(() => encodeHeaderFrame(1, 60, 0, { priority: 256 }), RangeError);
  assertThrows(() => encodeHeaderFrame(1, 60, 0, { timestamp: -1 }), RangeError);
  assertThrows(
    () => encodeHeaderFrame(1, 60, 0, { contentType: 1 as unknown as string }),
    TypeError,
  );
  assertThrows(() => encodeHeaderFrame(1, 60, 0, { messageId: "m".repeat(300) }), RangeError);
  assertThrows(() => encodeHeaderFrame(1, 60, -1, {}), RangeError);
});
