/**
 * Conformance: a consumer whose socket is not draining stops receiving;
 * messages wait in the queue (not in the broker's send buffers) until the
 * consumer reads again, and then all of them arrive, in order.
 */
import assert from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";
import { Buffer } from "./support/amqplib.ts";
import { sleep } from "./support/timing.ts";
import { FRAME_BODY, FRAME_HEARTBEAT, FRAME_METHOD, methodFrame, Writer } from "./support/wire.ts";

const COUNT = 2000;
const SIZE = 32 * 1024; // 64 MiB in all: far more than loopback socket buffers hold

forEachBroker("a consumer that stops reading stops receiving until it drains", async (t) => {
  const q = t.queue("slow");
  const c = await t.open();
  const pub = await c.confirmChannel();
  await pub.assertQueue(q);

  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(methodFrame(
    1,
    60,
    20,
    new Writer().short(0).shortstr(q).shortstr("slow").bit(false).bit(true).bit(false)
      .bit(false).table({}).done(),
  ));
  await raw.expectMethod(60, 21);
  // From here on the raw consumer does not read its socket.

  const body = Buffer.alloc(SIZE, 0x61);
  for (let i = 0; i < COUNT; i++) {
    body.writeUInt32BE(i, 0);
    pub.sendToQueue(q, body);
    if (i % 200 === 199) await pub.waitForConfirms();
  }
  await pub.waitForConfirms();
  await sleep(300);
  const held = (await pub.checkQueue(q)).messageCount;
  assert.ok(held > COUNT / 4, `the queue should still hold most messages, holds ${held}`);

  // Drain: every message arrives, in order.
  let next = 0;
  let expectBody = false;
  while (next < COUNT) {
    const f = await raw.readFrame(10_000);
    if (typeof f === "string") throw new Error(`${f} after ${next} deliveries`);
    if (f.type === FRAME_HEARTBEAT) continue;
    if (f.type === FRAME_METHOD) {
      assert.deepEqual([f.classId, f.methodId], [60, 60], "basic.deliver");
      expectBody = true;
    } else if (f.type === FRAME_BODY && expectBody) {
      const seq = new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(0);
      assert.equal(seq, next, "in order");
      assert.equal(f.payload.length, SIZE);
      next++;
      expectBody = false;
    }
  }
  assert.equal((await pub.checkQueue(q)).messageCount, 0);
}, { timeoutMs: 40_000 });
