/**
 * Conformance: basic.publish (mandatory returns, immediate, properties),
 * basic.get and publisher confirms, as RabbitMQ 3.10 does them. Every case
 * runs against the embedded broker and RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";
import {
  CONFIRM_SELECT,
  CONFIRM_SELECT_OK,
  type Message,
  rpc,
  TX_SELECT,
  TX_SELECT_OK,
} from "./support/amqplib.ts";
import { drain, msg, queueWith, range, text } from "./support/messages.ts";
import { expectChannelClosed, expectCode } from "./support/expectations.ts";
import { sleep, waitFor } from "./support/timing.ts";
import {
  bodyFrame,
  concat,
  FRAME_BODY,
  FRAME_HEADER,
  headerFrame,
  methodFrame,
  publishFrame,
  Reader,
  Writer,
} from "./support/wire.ts";
import { declareRaw } from "./support/raw_client.ts";

// --- publish -------------------------------------------------------------------

forEachBroker(
  "mandatory publish with no route comes back as basic.return 312 NO_ROUTE",
  async (t) => {
    const c = await t.open();
    const ch = await c.confirmChannel();
    const returned: Message[] = [];
    ch.on("return", (m: Message) => returned.push(m));
    const x = t.exchange();
    await ch.assertExchange(x, "direct");
    ch.publish(x, "nowhere", msg("back"), { mandatory: true, messageId: "id-1" });
    ch.publish(x, "nowhere", msg("dropped")); // not mandatory: silently dropped
    await ch.waitForConfirms(); // unroutable messages are still confirmed
    await waitFor(() => returned.length === 1, "basic.return");
    await sleep(50);
    assert.equal(returned.length, 1);
    const r = returned[0]!;
    const fields = r.fields as unknown as Record<string, unknown>;
    assert.equal(fields.replyCode, 312);
    assert.equal(fields.replyText, "NO_ROUTE");
    assert.equal(fields.exchange, x);
    assert.equal(fields.routingKey, "nowhere");
    assert.equal(text(r), "back");
    assert.equal(r.properties.messageId, "id-1");
  },
);

forEachBroker("a returned mandatory message comes before its confirm ack", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(methodFrame(1, 85, 10, new Writer().bit(false).done()));
  await raw.expectMethod(85, 11);
  await raw.write(concat(
    publishFrame(1, "amq.direct", t.name("unroutable"), { mandatory: true }),
    headerFrame(1, 60, 3),
    bodyFrame(1, "ret"),
  ));
  const ret = await raw.expectMethod(60, 50);
  const r = new Reader(ret.payload);
  r.offset = 4;
  assert.equal(r.short(), 312);
  assert.equal(r.shortstr(), "NO_ROUTE");
  const header = await raw.readFrame();
  assert.ok(typeof header !== "string" && header.type === FRAME_HEADER, "content header");
  const body = await raw.readFrame();
  assert.ok(typeof body !== "string" && body.type === FRAME_BODY, "content body");
  assert.equal(new TextDecoder().decode(body.payload), "ret");
  const ack = await raw.expectMethod(60, 80);
  const a = new Reader(ack.payload);
  a.offset = 4;
  assert.equal(a.longlong(), 1);
});

forEachBroker("publish with immediate=true is 540 NOT_IMPLEMENTED, as RabbitMQ", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(publishFrame(1, "", "x", { immediate: true }));
  await raw.write(headerFrame(1, 60, 0));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 540);
  assert.match(end.close?.text ?? "", /immediate=true/);
});

forEachBroker("message properties and headers pass through unchanged", async (t) => {
  const c = await t.open();
  const { q, pub } = await queueWith(t, c, []);
  const props = {
    contentType: "text/plain",
    contentEncoding: "utf-8",
    headers: { s: "str", n: 42, b: true, nested: { k: "v" }, list: [1, "two"] },
    deliveryMode: 2,
    priority: 3,
    correlationId: "corr",
    replyTo: "reply-q",
    expiration: "60000",
    messageId: "mid",
    timestamp: 1_700_000_000,
    type: "kind",
    userId: "guest",
    appId: "warren",
  };
  pub.sendToQueue(q, msg("props"), props);
  await pub.waitForConfirms();
  const ch = await c.channel();
  const [m] = await drain(ch, q);
  assert.ok(m);
  const got = m.properties as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(props)) {
    await t.step(k, () => assert.deepEqual(got[k], v, k));
  }
});

forEachBroker(
  "a user-id property that is not the connection's user is refused (406)",
  async (t) => {
    const c = await t.open();
    const ch = await c.channel();
    ch.publish("amq.direct", "x", msg("x"), { userId: "someone-else" });
    await expectChannelClosed(ch, 406);
  },
);

// --- get -----------------------------------------------------------------------

forEachBroker("basic.get returns get-ok with the remaining count, then get-empty", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, range(3));
  const ch = await c.channel();
  const counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const m = await ch.get(q, { noAck: true });
    assert.ok(m);
    assert.equal(text(m), `m${i}`);
    assert.equal(m.fields.redelivered, false);
    counts.push(m.fields.messageCount);
  }
  assert.deepEqual(counts, [2, 1, 0]);
  assert.equal(await ch.get(q, { noAck: true }), false);
});

// --- confirms --------------------------------------------------------------------

forEachBroker("publisher confirms ack every publish, in order", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  const results = await Promise.all(
    range(50).map((m) =>
      new Promise<string>((resolve) => {
        ch.sendToQueue(q, msg(m), {}, (err) => resolve(err ? "nack" : "ack"));
      })
    ),
  );
  assert.deepEqual(results, range(50).map(() => "ack"));
  assert.equal((await ch.checkQueue(q)).messageCount, 50);
});

forEachBroker("confirm acks cover every delivery tag, singly or with multiple", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(methodFrame(1, 85, 10, new Writer().bit(false).done()));
  await raw.expectMethod(85, 11);
  const q = t.queue();
  await declareRaw(raw, q);
  const n = 40;
  const burst: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    burst.push(publishFrame(1, "", q), headerFrame(1, 60, 1), bodyFrame(1, "x"));
  }
  await raw.write(concat(...burst));
  let confirmed = 0;
  while (confirmed < n) {
    const ack = await raw.expectMethod(60, 80);
    const r = new Reader(ack.payload);
    r.offset = 4;
    const tag = r.longlong();
    const multiple = (r.octet() & 1) === 1;
    assert.ok(tag > confirmed, `tags increase (${tag} after ${confirmed})`);
    if (!multiple) assert.equal(tag, confirmed + 1, "a single ack confirms the next tag");
    confirmed = tag;
  }
  assert.equal(confirmed, n);
});

forEachBroker(
  "confirm.select on a transactional channel is 406, and tx.select on a confirm channel",
  async (t) => {
    const c = await t.open();
    const ch = await c.channel();
    await rpc(ch, TX_SELECT, TX_SELECT_OK);
    await expectCode(rpc(ch, CONFIRM_SELECT, CONFIRM_SELECT_OK), 406);
    const cc = await c.confirmChannel();
    await expectCode(rpc(cc, TX_SELECT, TX_SELECT_OK), 406);
  },
);
