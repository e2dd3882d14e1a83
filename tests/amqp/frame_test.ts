import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import fc from "fast-check";
import { AmqpFrameError } from "../../src/amqp/errors.ts";
import {
  encodeBodyFrames,
  encodeHeaderFrame,
  encodeMessageFrames,
  encodeMethodFrame,
  type Frame,
  FrameParser,
  HEARTBEAT_FRAME,
  PROTOCOL_HEADER,
} from "../../src/amqp/frame.ts";
import { METHODS } from "../../src/amqp/spec.ts";
import { argsArb, concat, encodeAnyMethodFrame, hex } from "./helpers.ts";

function code(expected: number) {
  return (e: unknown) => {
    assert(e instanceof AmqpFrameError, `not an AmqpFrameError: ${e}`);
    assertEquals(e.code, expected, e.message);
    return true;
  };
}

function drain(p: FrameParser): Frame[] {
  const out: Frame[] = [];
  for (let f = p.next(); f !== null; f = p.next()) out.push(f);
  return out;
}

/** basic.publish(exchange "", routing key "q") + header(delivery-mode 2) + body "hi" on channel 1. */
const PUBLISH = hex(`
  01 00 01 00 00 00 0a | 00 3c 00 28 | 00 00 | 00 | 01 71 | 00 | ce
  02 00 01 00 00 00 0f | 00 3c 00 00 | 00 00 00 00 00 00 00 02 | 10 00 | 02 | ce
  03 00 01 00 00 00 02 | 68 69 | ce
`);

Deno.test("basic.publish, its content header and body encode byte for byte", () => {
  const body = new TextEncoder().encode("hi");
  const parts = [
    encodeMethodFrame(1, "basic.publish", { routingKey: "q" }),
    encodeHeaderFrame(1, 60, body.length, { deliveryMode: 2 }),
    ...encodeBodyFrames(1, body, 4096),
  ];
  assertEquals(concat(parts), PUBLISH);
  assertEquals(
    encodeMessageFrames({
      channel: 1,
      method: "basic.publish",
      args: { routingKey: "q" },
      properties: { deliveryMode: 2 },
      body,
      frameMax: 4096,
    }),
    PUBLISH,
  );
});

Deno.test("FrameParser decodes a publish, header and body triple", () => {
  const p = new FrameParser({ frameMax: 4096 });
  p.push(PUBLISH);
  assertEquals(drain(p), [
    {
      type: "method",
      channel: 1,
      method: {
        classId: 60,
        methodId: 40,
        name: "basic.publish",
        args: { reserved1: 0, exchange: "", routingKey: "q", mandatory: false, immediate: false },
      },
    },
    { type: "header", channel: 1, classId: 60, bodySize: 2, properties: { deliveryMode: 2 } },
    { type: "body", channel: 1, payload: new Uint8Array([0x68, 0x69]) },
  ]);
  assertEquals(p.buffered, 0);
});

Deno.test("FrameParser returns null until a whole frame is buffered", () => {
  const p = new FrameParser({ frameMax: 4096 });
  for (let i = 0; i < PUBLISH.length; i++) {
    p.push(PUBLISH.subarray(i, i + 1));
    const f = p.next();
    // The three frames end at offsets 17, 40 and 50.
    assertEquals(f !== null, i === 17 || i === 40 || i === 50, `after byte ${i}`);
  }
});

Deno.test("FrameParser returns a body that lies within one chunk as a view, not a copy", () => {
  const p = new FrameParser({ frameMax: 4096 });
  const chunk = PUBLISH.slice();
  p.push(chunk);
  const frames = drain(p);
  const body = frames[2];
  assert(body?.type === "body");
  assert(body.payload.buffer === chunk.buffer);
});

const frameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(...METHODS).chain((def) =>
    fc.tuple(fc.integer({ min: 0, max: 0xffff }), argsArb(def)).map(([ch, args]) =>
      encodeAnyMethodFrame(ch, def.name, args)
    )
  ),
  fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.nat(), fc.boolean()).map(([ch, size, dm]) =>
    encodeHeaderFrame(ch, 60, size, dm ? { deliveryMode: 2 } : { contentType: "text/plain" })
  ),
  fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.uint8Array({ minLength: 1, maxLength: 300 }))
    .map(([ch, body]) => concat(encodeBodyFrames(ch, body, 4096))),
  fc.constant(HEARTBEAT_FRAME),
);

Deno.test("frames split into random chunks parse the same as whole", () => {
  fc.assert(
    fc.property(
      fc.array(frameArb, { minLength: 1, maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
      (frames, cuts) => {
        const stream = concat(frames);
        const whole = new FrameParser({ frameMax: 4096 });
        whole.push(stream);
        const expected = drain(whole);
        assertEquals(expected.length, frames.length);

        const chunked = new FrameParser({ frameMax: 4096 });
        const got: Frame[] = [];
        let off = 0;
        for (let i = 0; off < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          // Copies, so a body view into one chunk cannot alias a later one.
          chunked.push(stream.slice(off, off + n));
          off += n;
          got.push(...drain(chunked));
        }
        assertEquals(got, expected);
        assertEquals(chunked.buffered, 0);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("FrameParser rejects a frame above frame_max from its header alone, with 501", () => {
  const p = new FrameParser({ frameMax: 4096 });
  // Only the 7 header bytes: size 4089 means a 4097-byte frame.
  p.push(hex(`03 00 01 00 00 0f f9`));
  assertThrows(() => p.next(), code(501));
  // A huge declared size is refused just the same, with nothing allocated for it.
  const q = new FrameParser({ frameMax: 131072 });
  q.push(hex(`03 00 01 ff ff ff ff`));
  assertThrows(() => q.next(), code(501));
});

Deno.test("FrameParser accepts a frame of exactly frame_max bytes", () => {
  const p = new FrameParser({ frameMax: 4096 });
  const [frame] = encodeBodyFrames(1, new Uint8Array(4088), 4096);
  assertEquals(frame?.length, 4096);
  p.push(frame!);
  assertEquals(p.next()?.type, "body");
});

Deno.test("FrameParser uses a frame_max set after construction (after tune-ok)", () => {
  const p = new FrameParser({ frameMax: 4096 });
  p.frameMax = 131072;
  p.push(concat(encodeBodyFrames(1, new Uint8Array(10000), 0)));
  assertEquals(p.next()?.type, "body");
});

Deno.test("FrameParser rejects a bad frame-end octet with 501", () => {
  const p = new FrameParser({ frameMax: 4096 });
  p.push(hex(`01 00 01 00 00 00 04 00 3c 00 0a cd`));
  assertThrows(() => p.next(), code(501));
});

Deno.test("FrameParser rejects an unknown frame type with 501, before the payload arrives", () => {
  const p = new FrameParser({ frameMax: 4096 });
  p.push(hex(`05 00 01 00 00 00 10`));
  assertThrows(() => p.next(), code(501));
});

Deno.test("FrameParser accepts heartbeats on channel 0 only, with no payload", () => {
  const ok = new FrameParser({ frameMax: 4096 });
  ok.push(HEARTBEAT_FRAME);
  assertEquals(ok.next(), { type: "heartbeat", channel: 0 });
  const onChannel = new FrameParser({ frameMax: 4096 });
  onChannel.push(hex(`08 00 01 00 00 00 00 ce`));
  assertThrows(() => onChannel.next(), code(505));
  const withPayload = new FrameParser({ frameMax: 4096 });
  withPayload.push(hex(`08 00 00 00 00 00 01 00 ce`));
  assertThrows(() => withPayload.next(), code(501));
});

Deno.test("FrameParser rejects content frames on channel 0 with 505", () => {
  const header = new FrameParser({ frameMax: 4096 });
  header.push(encodeHeaderFrame(0, 60, 0, {}));
  assertThrows(() => header.next(), code(505));
  const body = new FrameParser({ frameMax: 4096 });
  body.push(hex(`03 00 00 00 00 00 01 41 ce`));
  assertThrows(() => body.next(), code(505));
});

Deno.test("FrameParser rejects a body size beyond 2^53 with 502", () => {
  const p = new FrameParser({ frameMax: 4096 });
  p.push(hex(`02 00 01 00 00 00 0e 00 3c 00 00 00 20 00 00 00 00 00 00 00 00 ce`));
  assertThrows(() => p.next(), code(502));
});

Deno.test("FrameParser keeps failing with the same error after a bad frame", () => {
  const p = new FrameParser({ frameMax: 4096 });
  p.push(hex(`09 00 00 00 00 00 00 ce`));
  let first: unknown;
  assertThrows(() => p.next(), (e) => (first = e) instanceof AmqpFrameError);
  p.push(HEARTBEAT_FRAME);
  assertThrows(() => p.next(), (e) => e === first);
});

Deno.test("encodeBodyFrames() splits a body so every frame fits frame_max", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 3000 }),
      fc.integer({ min: 9, max: 1100 }),
      (body, frameMax) => {
        const frames = encodeBodyFrames(7, body, frameMax);
        assertEquals(frames.length, Math.ceil(body.length / (frameMax - 8)));
        assert(frames.every((f) => f.length <= frameMax));
        const p = new FrameParser({ frameMax });
        for (const f of frames) p.push(f);
        const payloads = drain(p).map((f) => (f.type === "body" ? f.payload : new Uint8Array()));
        assertEquals(concat(payloads), body);
      },
    ),
    { numRuns: 200 },
  );
  assertEquals(encodeBodyFrames(1, new Uint8Array(), 4096), []);
  assertEquals(encodeBodyFrames(1, new Uint8Array(5000), 0).length, 1);
  assertThrows(() => encodeBodyFrames(1, new Uint8Array(5), 8), RangeError);
});

Deno.test("encodeMessageFrames() equals the method, header and body frames encoded one by one", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 2000 }),
      fc.oneof(fc.constant(0), fc.integer({ min: 9, max: 700 })),
      fc.constantFrom("basic.publish", "basic.deliver", "basic.return", "basic.get-ok"),
      (body, frameMax, method) => {
        const args = { routingKey: "rk", exchange: "ex" };
        const properties = { messageId: "m", headers: { n: 1 } };
        const parts = [
          encodeMethodFrame(9, method, args),
          encodeHeaderFrame(9, 60, body.length, properties),
          ...encodeBodyFrames(9, body, frameMax),
        ];
        assertEquals(
          encodeMessageFrames({ channel: 9, method, args, properties, body, frameMax }),
          concat(parts),
        );
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("encodeMessageFrames() refuses a method without content", () => {
  assertThrows(
    () =>
      encodeMessageFrames({
        channel: 1,
        // @ts-expect-error: basic.ack carries no content (the compiler knows too)
        method: "basic.ack",
        args: {},
        properties: {},
        body: new Uint8Array(),
        frameMax: 4096,
      }),
    TypeError,
  );
});

Deno.test("PROTOCOL_HEADER and HEARTBEAT_FRAME are the spec's bytes", () => {
  assertEquals(PROTOCOL_HEADER, new Uint8Array([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]));
  assertEquals(HEARTBEAT_FRAME, hex(`08 00 00 00 00 00 00 ce`));
});

Deno.test("a body frame spanning chunks comes out in a buffer of its own; its frame end is still checked", () => {
  const body = new Uint8Array(3000).map((_, i) => i & 0xff);
  const [frame] = encodeBodyFrames(7, body, 4096);
  const p = new FrameParser({ frameMax: 4096 });
  for (let off = 0; off < frame!.length; off += 1000) p.push(frame!.slice(off, off + 1000));
  const got = p.next();
  assert(got?.type === "body");
  assertEquals(got.channel, 7);
  assertEquals(got.payload, body);
  assertEquals(got.payload.byteLength, got.payload.buffer.byteLength, "the payload is its buffer");
  assertEquals(p.buffered, 0);

  const bad = frame!.slice();
  bad[bad.length - 1] = 0xcd;
  const q = new FrameParser({ frameMax: 4096 });
  q.push(bad.slice(0, 100));
  q.push(bad.slice(100));
  assertThrows(() => q.next(), code(501));
  const [zero] = encodeBodyFrames(0, body, 4096);
  const z = new FrameParser({ frameMax: 4096 });
  z.push(zero!.slice(0, 100));
  z.push(zero!.slice(100));
  assertThrows(() => z.next(), code(505));
});
