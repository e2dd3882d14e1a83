import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { encodeMessageFrames, encodeMethodFrame } from "../../src/amqp/mod.ts";
import { LARGE_CHUNK } from "../../src/broker/chunks.ts";
import { delivery } from "../../src/broker/message_frames.ts";
import { Outbox } from "../../src/broker/outbox.ts";
import type { ClientSocket } from "../../src/broker/tcp_socket.ts";
import { concat } from "../amqp/helpers.ts";
import { FakeTimers } from "./support/fake_timers.ts";

function fakeSocket(): ClientSocket & { writes: Uint8Array[] } {
  const writes: Uint8Array[] = [];
  return {
    writes,
    remoteAddress: undefined,
    remotePort: undefined,
    localAddress: undefined,
    localPort: undefined,
    writableLength: 0,
    bytesWritten: 0,
    bytesRead: 0,
    start() {},
    write(b) {
      writes.push(b);
      return true;
    },
    end() {},
    destroy() {},
    pause() {},
    resume() {},
  };
}

function deliveryOf(bodyBytes: number, tag: number) {
  return delivery({
    channel: 1,
    frameMax: 131072,
    consumerTag: "c",
    deliveryTag: tag,
    entry: {
      message: {
        exchange: "",
        routingKey: "q",
        properties: { contentType: "text/plain" },
        body: new Uint8Array(bodyBytes).fill(tag),
      },
      seq: tag,
      expiresAt: Infinity,
      priority: 0,
      redelivered: false,
    },
  });
}

Deno.test("the outbox writes deliveries and frames in order, small ones in one chunk, big ones uncopied", () => {
  const socket = fakeSocket();
  const outbox = new Outbox(socket, () => {}, {
    timers: new FakeTimers(),
    ms: 0,
    onTimeout() {},
  });
  const ack = encodeMethodFrame(1, "basic.ack", { deliveryTag: 5 });
  const big = encodeMessageFrames(deliveryOf(LARGE_CHUNK, 3));
  outbox.pushMessage(deliveryOf(64, 1));
  outbox.push(ack);
  outbox.pushMessage(deliveryOf(64, 2));
  outbox.push(big);
  outbox.pushMessage(deliveryOf(LARGE_CHUNK, 4));
  outbox.pushMessage(deliveryOf(10, 5));
  outbox.flush();
  const expected = [
    encodeMessageFrames(deliveryOf(64, 1)),
    ack,
    encodeMessageFrames(deliveryOf(64, 2)),
    big,
    encodeMessageFrames(deliveryOf(LARGE_CHUNK, 4)),
    encodeMessageFrames(deliveryOf(10, 5)),
  ];
  assertEquals(concat(socket.writes), concat(expected));
  assertEquals(socket.writes.length, 4, "small run, big, big, small run");
  assert(socket.writes[1] === big, "a big chunk is written as it is");
});

Deno.test("a delivery that cannot be encoded leaves nothing half-written", () => {
  const socket = fakeSocket();
  const outbox = new Outbox(socket, () => {}, { timers: new FakeTimers(), ms: 0, onTimeout() {} });
  outbox.pushMessage(deliveryOf(8, 1));
  const bad = deliveryOf(8, 2);
  bad.args.consumerTag = "x".repeat(300); // over a shortstr's 255 bytes
  throws(() => outbox.pushMessage(bad), RangeError);
  outbox.flush();
  assertEquals(concat(socket.writes), encodeMessageFrames(deliveryOf(8, 1)));
});
