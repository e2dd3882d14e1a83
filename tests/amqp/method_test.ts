import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import fc from "fast-check";
import { AmqpFrameError } from "../../src/amqp/errors.ts";
import { encodeMethodFrame, type Frame, FrameParser } from "../../src/amqp/frame.ts";
import {
  compileMethod,
  decodeMethod,
  methodById,
  methodByName,
  writeMethod,
} from "../../src/amqp/method.ts";
import { FRAME_END, FRAME_METHOD, METHODS } from "../../src/amqp/spec.ts";
import { Reader, Writer } from "../../src/amqp/wire.ts";
import { argsArb, encodeAnyMethodFrame, hex, strHex } from "./helpers.ts";

function parseOne(bytes: Uint8Array): Frame {
  const p = new FrameParser({ frameMax: 0 });
  p.push(bytes);
  const f = p.next();
  assert(f !== null, "expected a whole frame");
  assertEquals(p.next(), null);
  return f;
}

function methodFrame(channel: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(payload.length + 8);
  f[0] = FRAME_METHOD;
  f[1] = channel >> 8;
  f[2] = channel & 0xff;
  new DataView(f.buffer).setUint32(3, payload.length);
  f.set(payload, 7);
  f[f.length - 1] = FRAME_END;
  return f;
}

function code(expected: number, classId?: number, methodId?: number) {
  return (e: unknown) => {
    assert(e instanceof AmqpFrameError, `not an AmqpFrameError: ${e}`);
    assertEquals(e.code, expected, e.message);
    if (classId !== undefined) assertEquals([e.classId, e.methodId], [classId, methodId]);
    return true;
  };
}

/** connection.start as a server sends it, written out from the spec's field list. */
const CONNECTION_START = hex(`
  01 | 00 00 | 00 00 00 2f
  00 0a 00 0a
  00 09
  00 00 00 13 | 07 ${strHex("product")} 53 00 00 00 06 ${strHex("warren")}
  00 00 00 05 ${strHex("PLAIN")}
  00 00 00 05 ${strHex("en_US")}
  ce
`);

Deno.test("encodeMethodFrame() writes connection.start byte for byte", () => {
  const bytes = encodeMethodFrame(0, "connection.start", {
    versionMajor: 0,
    versionMinor: 9,
    serverProperties: { product: "warren" },
    mechanisms: "PLAIN",
    locales: "en_US",
  });
  assertEquals(bytes, CONNECTION_START);
});

Deno.test("FrameParser decodes connection.start with longstr fields as bytes", () => {
  const f = parseOne(CONNECTION_START);
  assertEquals(f, {
    type: "method",
    channel: 0,
    method: {
      classId: 10,
      methodId: 10,
      name: "connection.start",
      args: {
        versionMajor: 0,
        versionMinor: 9,
        serverProperties: { product: "warren" },
        mechanisms: new TextEncoder().encode("PLAIN"),
        locales: new TextEncoder().encode("en_US"),
      },
    },
  });
});

Deno.test("consecutive bit fields share one octet, first bit least significant", () => {
  const bytes = encodeMethodFrame(1, "exchange.declare", {
    exchange: "ex",
    type: "topic",
    passive: false,
    durable: true,
    autoDelete: false,
    internal: true,
    noWait: true,
  });
  assertEquals(
    bytes,
    hex(
      `01 00 01 00 00 00 14 | 00 28 00 0a | 00 00 | 02 ${strHex("ex")} | 05 ${
        strHex("topic")
      } | 1a | 00 00 00 00 | ce`,
    ),
  );
  // basic.nack: a longlong then two bits in one octet.
  assertEquals(
    encodeMethodFrame(2, "basic.nack", { deliveryTag: 258, multiple: true, requeue: true }),
    hex(`01 00 02 00 00 00 0d | 00 3c 00 78 | 00 00 00 00 00 00 01 02 | 03 | ce`),
  );
});

Deno.test("a run of more than eight bits continues in a second octet", () => {
  const fields = Array.from({ length: 10 }, (_, i) => ({ name: `b${i}`, type: "bit" as const }));
  const def = compileMethod({
    classId: 999,
    methodId: 1,
    name: "test.bits",
    synchronous: false,
    content: false,
    fields: [...fields, { name: "after", type: "octet" }, { name: "c0", type: "bit" }],
  });
  const w = new Writer(64);
  writeMethod(w, def, { b0: true, b7: true, b8: true, b9: false, after: 7, c0: true });
  assertEquals(w.finish(), hex(`03 e7 00 01 | 81 | 01 | 07 | 01`));
});

Deno.test("encodeMethodFrame() gives missing arguments their defaults", () => {
  const f = parseOne(encodeMethodFrame(3, "queue.declare", {}));
  assert(f.type === "method");
  assertEquals(f.method.args, {
    reserved1: 0,
    queue: "",
    passive: false,
    durable: false,
    exclusive: false,
    autoDelete: false,
    noWait: false,
    arguments: {},
  });
});

Deno.test("every method round-trips random arguments through encode and parse", async (t) => {
  for (const def of METHODS) {
    await t.step(def.name, () => {
      fc.assert(
        fc.property(argsArb(def), fc.integer({ min: 0, max: 0xffff }), (args, channel) => {
          const f = parseOne(encodeAnyMethodFrame(channel, def.name, args));
          assertEquals(f, {
            type: "method",
            channel,
            method: { classId: def.classId, methodId: def.methodId, name: def.name, args },
          });
        }),
        { numRuns: 40 },
      );
    });
  }
});

Deno.test("decodeMethod() rejects every truncation of a method's arguments with 502", async (t) => {
  for (const def of METHODS.filter((m) => m.fields.length > 0)) {
    await t.step(def.name, () => {
      fc.assert(
        fc.property(argsArb(def), (args) => {
          const frame = encodeAnyMethodFrame(1, def.name, args);
          const payload = frame.subarray(7, frame.length - 1);
          for (let n = 4; n < payload.length; n++) {
            assertThrows(() => decodeMethod(payload, 0, n), code(502, def.classId, def.methodId));
          }
        }),
        { numRuns: 5 },
      );
    });
  }
});

Deno.test("decodeMethod() rejects bytes after the last argument with 502", () => {
  const frame = encodeMethodFrame(1, "basic.qos", { prefetchCount: 1 });
  const payload = new Uint8Array([...frame.subarray(7, frame.length - 1), 0x09]);
  assertThrows(() => decodeMethod(payload, 0, payload.length), code(502, 60, 10));
  // A method without fields must have an empty argument list too.
  assertThrows(() => decodeMethod(hex(`00 3c 00 0b 00`), 0, 5), code(502, 60, 11));
});

Deno.test("FrameParser rejects a method payload shorter than its ids with 502", () => {
  const p = new FrameParser({ frameMax: 0 });
  p.push(methodFrame(1, hex(`00 3c`)));
  assertThrows(() => p.next(), code(502));
});

Deno.test("FrameParser rejects an unknown class with 540 and an unknown method with 503", () => {
  const a = new FrameParser({ frameMax: 0 });
  a.push(methodFrame(1, hex(`00 63 00 0a`)));
  assertThrows(() => a.next(), code(540, 99, 10));
  const b = new FrameParser({ frameMax: 0 });
  b.push(methodFrame(1, hex(`00 3c 03 e7`)));
  assertThrows(() => b.next(), code(503, 60, 999));
});

Deno.test("encodeMethodFrame() rejects unknown methods and ill-typed arguments", () => {
  // The compiler refuses these too; the run-time checks are for untyped callers.
  // @ts-expect-error: no such method
  assertThrows(() => encodeMethodFrame(1, "queue.nonsense", {}), /unknown AMQP method/);
  assertThrows(
    // @ts-expect-error: queue is a string
    () => encodeMethodFrame(1, "queue.declare", { queue: 5 }),
    /'queue' must be a string/,
  );
  assertThrows(() => encodeMethodFrame(1, "queue.declare", { queue: "q".repeat(256) }), RangeError);
  assertThrows(() => encodeMethodFrame(1, "basic.qos", { prefetchCount: 65536 }), TypeError);
  // @ts-expect-error: global is a boolean
  assertThrows(() => encodeMethodFrame(1, "basic.qos", { global: "yes" }), TypeError);
  assertThrows(() => encodeMethodFrame(1, "basic.ack", { deliveryTag: -1 }), TypeError);
  assertThrows(() => encodeMethodFrame(1, "basic.ack", { deliveryTag: 2n ** 64n }), TypeError);
  // @ts-expect-error: arguments is a field table
  assertThrows(() => encodeMethodFrame(1, "queue.declare", { arguments: [] }), TypeError);
  assertThrows(() => encodeMethodFrame(70000, "basic.qos", {}), RangeError);
});

Deno.test("delivery tags beyond 2^53 decode as bigint, smaller ones as number", async (t) => {
  for (const tag of [0, 1, Number.MAX_SAFE_INTEGER, 2n ** 53n, 2n ** 64n - 1n]) {
    await t.step(`${typeof tag} ${tag}`, () => {
      const f = parseOne(encodeMethodFrame(1, "basic.ack", { deliveryTag: tag }));
      assert(f.type === "method" && f.method.name === "basic.ack");
      assertEquals(f.method.args.deliveryTag, tag);
    });
  }
});

Deno.test("methodByName() and methodById() find the same definitions", async (t) => {
  for (const def of METHODS) {
    await t.step(def.name, () => {
      assertEquals(methodByName(def.name)?.name, def.name);
      assertEquals(methodById(def.classId, def.methodId)?.name, def.name);
    });
  }
  assertEquals(methodByName("basic.publish")?.content, true);
  assertEquals(methodById(60, 40)?.fields.map((f) => f.name), [
    "reserved1",
    "exchange",
    "routingKey",
    "mandatory",
    "immediate",
  ]);
  assertEquals(methodByName("nope.nope"), undefined);
  assertEquals(methodById(60, 999), undefined);
});

Deno.test("the method table has every method RabbitMQ implements", () => {
  const names = new Set(METHODS.map((m) => m.name));
  const rabbit = [
    "connection.start",
    "connection.start-ok",
    "connection.secure",
    "connection.secure-ok",
    "connection.tune",
    "connection.tune-ok",
    "connection.open",
    "connection.open-ok",
    "connection.close",
    "connection.close-ok",
    "connection.blocked",
    "connection.unblocked",
    "connection.update-secret",
    "connection.update-secret-ok",
    "channel.open",
    "channel.open-ok",
    "channel.flow",
    "channel.flow-ok",
    "channel.close",
    "channel.close-ok",
    "access.request",
    "access.request-ok",
    "exchange.declare",
    "exchange.declare-ok",
    "exchange.delete",
    "exchange.delete-ok",
    "exchange.bind",
    "exchange.bind-ok",
    "exchange.unbind",
    "exchange.unbind-ok",
    "queue.declare",
    "queue.declare-ok",
    "queue.bind",
    "queue.bind-ok",
    "queue.purge",
    "queue.purge-ok",
    "queue.delete",
    "queue.delete-ok",
    "queue.unbind",
    "queue.unbind-ok",
    "basic.qos",
    "basic.qos-ok",
    "basic.consume",
    "basic.consume-ok",
    "basic.cancel",
    "basic.cancel-ok",
    "basic.publish",
    "basic.return",
    "basic.deliver",
    "basic.get",
    "basic.get-ok",
    "basic.get-empty",
    "basic.ack",
    "basic.reject",
    "basic.recover-async",
    "basic.recover",
    "basic.recover-ok",
    "basic.nack",
    "tx.select",
    "tx.select-ok",
    "tx.commit",
    "tx.commit-ok",
    "tx.rollback",
    "tx.rollback-ok",
    "confirm.select",
    "confirm.select-ok",
  ];
  assertEquals(rabbit.filter((n) => !names.has(n)), []);
  assertEquals(names.size, rabbit.length);
});

Deno.test("Reader reports truncation as 502 with the offset", () => {
  const r = new Reader(hex(`00 01`));
  assertEquals(r.u16(), 1);
  assertThrows(() => r.u8(), /truncated octet/);
});
