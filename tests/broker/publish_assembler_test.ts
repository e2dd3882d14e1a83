/**
 * The publish state machine on its own, without a socket: the order rules
 * the conformance suite checks end to end (against RabbitMQ too), here case
 * by case with the exact code, text and method each error is reported against.
 */
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import type { BasicProperties } from "../../src/amqp/mod.ts";
import { AmqpError } from "../../src/broker/errors.ts";
import { type ContentFrame, PublishAssembler } from "../../src/broker/publish_assembler.ts";
import { FakeTimers } from "./support/fake_timers.ts";

const LIMITS = { maxMessageSize: 100, userName: "guest" };

function header(bodySize: number, properties: BasicProperties = {}, classId = 60): ContentFrame {
  return { type: "header", channel: 1, classId, bodySize, properties };
}

function body(text: string): ContentFrame {
  return { type: "body", channel: 1, payload: new TextEncoder().encode(text) };
}

/** Matches an AmqpError by code, reply text and the method it is reported against. */
function amqpError(code: number, text: RegExp, classId = 60, methodId = 40) {
  return (e: unknown) => {
    assert(e instanceof AmqpError, `not an AmqpError: ${e}`);
    assertEquals([e.code, e.classId, e.methodId], [code, classId, methodId]);
    assert(text.test(e.text), e.text);
    return true;
  };
}

Deno.test("PublishAssembler joins body frames into one message", () => {
  const p = new PublishAssembler(LIMITS);
  p.start("ex", "rk", true);
  assertEquals(p.content(header(5, { appId: "a" })), undefined);
  const chunk = body("hel");
  assertEquals(p.content(chunk), undefined);
  const done = p.content(body("lo"));
  assert(done !== undefined);
  assertEquals(done.mandatory, true);
  assertEquals(
    [done.message.exchange, done.message.routingKey, done.message.properties],
    ["ex", "rk", { appId: "a" }],
  );
  assertEquals(new TextDecoder().decode(done.message.body), "hello");
  p.method(); // back to expecting a method
});

Deno.test("PublishAssembler copies a body that came in one frame as a view into a read chunk", () => {
  const p = new PublishAssembler(LIMITS);
  p.start("", "q", false);
  p.content(header(2));
  const chunk = new TextEncoder().encode("..hi..");
  const frame: ContentFrame = { type: "body", channel: 1, payload: chunk.subarray(2, 4) };
  const done = p.content(frame);
  assert(done !== undefined && frame.type === "body");
  assertEquals(new TextDecoder().decode(done.message.body), "hi");
  assert(done.message.body.buffer !== chunk.buffer, "the body must not pin the read chunk");
});

Deno.test("PublishAssembler keeps a one-frame body that is its whole buffer (no second copy)", () => {
  const p = new PublishAssembler(LIMITS);
  p.start("", "q", false);
  p.content(header(2));
  const frame = body("hi"); // its own buffer, as the parser gathers a body spanning chunks
  const done = p.content(frame);
  assert(done !== undefined && frame.type === "body");
  assert(done.message.body === frame.payload);
});

Deno.test("PublishAssembler completes an empty body at its header", () => {
  const p = new PublishAssembler(LIMITS);
  p.start("", "q", false);
  const done = p.content(header(0));
  assertEquals(done?.message.body, new Uint8Array(0));
  p.method();
});

Deno.test("PublishAssembler refuses frames out of order with 505", async (t) => {
  /** `publish: true`: reported against basic.publish (60/40); otherwise against no method. */
  const cases: {
    name: string;
    run: (p: PublishAssembler) => void;
    text: RegExp;
    publish: boolean;
  }[] = [
    {
      name: "a method while the header is due",
      run: (p) => {
        p.start("", "q", false);
        p.method();
      },
      text: /expected content header for class 60/,
      publish: true,
    },
    {
      name: "a method while body frames are due",
      run: (p) => {
        p.start("", "q", false);
        p.content(header(3));
        p.method();
      },
      text: /expected content body/,
      publish: true,
    },
    {
      name: "a header with no publish",
      run: (p) => p.content(header(1)),
      text: /expected method frame/,
      publish: false,
    },
    {
      name: "a body with no publish",
      run: (p) => p.content(body("x")),
      text: /expected method frame/,
      publish: false,
    },
    {
      name: "a second header",
      run: (p) => {
        p.start("", "q", false);
        p.content(header(3));
        p.content(header(3));
      },
      text: /expected method frame/,
      publish: false,
    },
    {
      name: "a header of another class",
      run: (p) => {
        p.start("", "q", false);
        p.content(header(1, {}, 50));
      },
      text: /got one for class 50/,
      publish: true,
    },
    {
      name: "more body than the header announced",
      run: (p) => {
        p.start("", "q", false);
        p.content(header(2));
        p.content(body("abc"));
      },
      text: /content body of 3 bytes exceeds the 2 announced/,
      publish: false,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const [classId, methodId] = c.publish ? [60, 40] : [0, 0];
      throws(() => c.run(new PublishAssembler(LIMITS)), amqpError(505, c.text, classId, methodId));
    });
  }
});

Deno.test("PublishAssembler refuses a header that breaks a broker rule with 406, then expects a method", async (t) => {
  const cases: { name: string; frame: ContentFrame; text: RegExp }[] = [
    { name: "too large", frame: header(101), text: /message size 101 is larger than .* 100/ },
    {
      name: "someone else's user-id",
      frame: header(1, { userId: "mallory" }),
      text: /user_id property set to 'mallory' but authenticated user was 'guest'/,
    },
    {
      name: "an expiration that is not an integer",
      frame: header(1, { expiration: "soon" }),
      text: /invalid expiration 'soon'/,
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const p = new PublishAssembler(LIMITS);
      p.start("", "q", false);
      throws(() => p.content(c.frame), amqpError(406, c.text));
      p.method(); // the publish was abandoned: the channel may go on (after its close)
    });
  }
});

Deno.test("a body in 1-byte frames is one growing buffer: its cost does not grow with the frame count", () => {
  const size = 2 * 1024 * 1024;
  let held = 0;
  let peak = 0;
  const p = new PublishAssembler({
    maxMessageSize: 128 * 1024 * 1024,
    userName: "guest",
    bodyBytesHeld: (delta) => {
      held += delta;
      peak = Math.max(peak, held);
    },
  });
  p.start("", "q", false);
  p.content(header(size));
  const frame: ContentFrame = { type: "body", channel: 1, payload: new Uint8Array(1) };
  let done;
  for (let i = 0; i < size; i++) {
    frame.payload[0] = i & 0xff;
    done = p.content(frame);
    if (i === size / 2) {
      const pending = p.pendingBody;
      // One buffer, allocated as the bytes came (not the declared 2 MB up front),
      // and counted for the memory alarm.
      assertEquals(pending.buffers, 1);
      assertEquals(pending.received, size / 2 + 1);
      assert(pending.allocated <= 2 * pending.received && pending.allocated <= size);
      assertEquals(held, pending.allocated);
    }
  }
  assert(done !== undefined);
  assertEquals(done.message.body.length, size);
  assert(done.message.body.every((b, i) => b === (i & 0xff)));
  assertEquals(p.pendingBody, { buffers: 0, allocated: 0, received: 0 });
  assertEquals(held, 0, "the queue accounts for the message once it is complete");
  assert(peak <= size, `peak ${peak}`);
});

Deno.test("a body still incomplete after the body timeout is a 530 naming it, and its bytes are released", () => {
  const timers = new FakeTimers();
  let held = 0;
  const closed: AmqpError[] = [];
  const p = new PublishAssembler({
    maxMessageSize: 1024 * 1024,
    userName: "guest",
    bodyBytesHeld: (delta) => held += delta,
    timers,
    bodyTimeoutMs: 5000,
    bodyTimedOut: (e) => closed.push(e),
  });
  p.start("", "q", false);
  p.content(header(1000));
  p.content(body("0123456789"));
  timers.advance(4999);
  assertEquals(closed.length, 0);
  assert(held > 0);
  timers.advance(1);
  assertEquals(closed.length, 1);
  assertEquals(closed[0]!.code, 530);
  assert(
    /channel 1 still incomplete 5 s after its header \(10 of 1000 bytes/.test(closed[0]!.text),
  );
  assertEquals(held, 0);
  assertEquals(p.pendingBody.buffers, 0);
  // A message that completes in time is never timed out, and its timer
  // (kept for the next body) goes once it finds nothing pending.
  p.start("", "q", false);
  p.content(header(2));
  p.content(body("ok"));
  assert(timers.pending <= 1);
  timers.advance(10_000);
  assertEquals(closed.length, 1);
  assertEquals(timers.pending, 0);
});

Deno.test("the body timeout waits while the broker itself does not read the socket (memory)", () => {
  const timers = new FakeTimers();
  const limits = {
    maxMessageSize: 1 << 20,
    userName: "guest",
    timers,
    bodyTimeoutMs: 1000,
    readingPaused: true,
    timedOut: 0,
    bodyTimedOut() {
      this.timedOut++;
    },
  };
  const a = new PublishAssembler(limits);
  a.start("", "q", false);
  a.content({ type: "header", channel: 1, classId: 60, bodySize: 10, properties: {} });
  a.content({ type: "body", channel: 1, payload: new Uint8Array(4) });
  timers.advance(5000);
  assertEquals(limits.timedOut, 0, "paused by the broker: not the client's fault");
  limits.readingPaused = false;
  timers.advance(1000);
  assertEquals(limits.timedOut, 1);
});

Deno.test("one body timer serves message after message, and times out the body pending when it runs", () => {
  const timers = new FakeTimers();
  const closed: AmqpError[] = [];
  const p = new PublishAssembler({
    maxMessageSize: 1 << 20,
    userName: "guest",
    timers,
    bodyTimeoutMs: 1000,
    bodyTimedOut: (e) => closed.push(e),
  });
  for (let i = 0; i < 100; i++) {
    p.start("", "q", false);
    p.content(header(2));
    assert(p.content(body("ok")) !== undefined);
    timers.advance(5);
  }
  assertEquals(timers.pending, 1, "not a timer per message");
  // A body that stalls 700 ms after the timer was armed: it gets its own full
  // second, to the millisecond (the timer re-arms for what it has left).
  timers.advance(200);
  p.start("", "q", false);
  p.content(header(10));
  p.content(body("0123"));
  timers.advance(999);
  assertEquals(closed.length, 0);
  timers.advance(1);
  assertEquals(closed.length, 1);
  assertEquals(timers.pending, 0);
});
