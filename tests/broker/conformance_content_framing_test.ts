/**
 * Conformance: content framing on the raw wire (bodies split over frames,
 * frames out of order or of the wrong class, oversized messages), as
 * RabbitMQ 3.10 does it. Every case runs against the embedded broker and
 * RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";
import { bodies, drain } from "./support/messages.ts";
import { waitFor } from "./support/timing.ts";
import {
  bodyFrame,
  concat,
  decodeClose,
  frame,
  FRAME_BODY,
  FRAME_HEADER,
  headerFrame,
  methodFrame,
  publishFrame,
  Writer,
} from "./support/wire.ts";
import { declareRaw } from "./support/raw_client.ts";

// --- content framing (raw) -------------------------------------------------------------

forEachBroker("a body split over several frames, and an empty body, arrive whole", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  const q = t.queue();
  await declareRaw(raw, q);
  await raw.write(concat(
    publishFrame(1, "", q),
    headerFrame(1, 60, 9),
    bodyFrame(1, "abc"),
    bodyFrame(1, "def"),
    bodyFrame(1, "ghi"),
    publishFrame(1, "", q),
    headerFrame(1, 60, 0),
  ));
  const c = await t.open();
  const ch = await c.channel();
  const got = await waitFor(async () => {
    const all = await drain(ch, q);
    return all.length > 0 && all;
  }, "messages");
  if (got.length < 2) {
    got.push(...await waitFor(() => drain(ch, q).then((m) => m.length > 0 && m), "2nd"));
  }
  assert.deepEqual(bodies(got), ["abcdefghi", ""]);
});

forEachBroker("a body frame without a content header is 505 UNEXPECTED_FRAME", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(concat(publishFrame(1, "", "x"), bodyFrame(1, "abc")));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 505);
  assert.equal(end.eof, true);
});

forEachBroker("a method frame in the middle of content is 505 UNEXPECTED_FRAME", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(concat(
    publishFrame(1, "", "x"),
    headerFrame(1, 60, 5),
    bodyFrame(1, "ab"),
    publishFrame(1, "", "x"),
  ));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 505);
});

forEachBroker("a content header with no publish before it is 505 UNEXPECTED_FRAME", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(
    frame(FRAME_HEADER, 1, new Writer().short(60).short(0).longlong(3).short(0).done()),
  );
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 505);
});

forEachBroker(
  "a message over 128 MiB is 406 PRECONDITION_FAILED, and the connection stays usable",
  async (t) => {
    const raw = await t.raw();
    const { tune } = await raw.handshake();
    await raw.openChannel(1);
    const size = 128 * 1024 * 1024 + 1;
    await raw.write(concat(publishFrame(1, "", "nowhere"), headerFrame(1, 60, size)));
    // RabbitMQ reads the whole body before it checks; the embedded broker
    // refuses at the header and discards the body frames that follow.
    const chunk = new Uint8Array(tune.frameMax - 8);
    for (let sent = 0; sent < size; sent += chunk.length) {
      const n = Math.min(chunk.length, size - sent);
      if (!await raw.write(frame(FRAME_BODY, 1, chunk.subarray(0, n)))) break;
    }
    const close = decodeClose(await raw.expectMethod(20, 40, 10_000));
    assert.equal(close.code, 406);
    assert.match(close.text, /message size 134217729 is larger than configured max size 134217728/);
    await raw.write(methodFrame(1, 20, 41)); // channel.close-ok
    await raw.openChannel(2);
  },
  { timeoutMs: 30_000 },
);

forEachBroker("a content header of the wrong class is 505 UNEXPECTED_FRAME", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(concat(publishFrame(1, "", "x"), headerFrame(1, 50, 3)));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 505);
});
