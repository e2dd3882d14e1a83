/**
 * Conformance: basic.ack/nack/reject/recover, redelivery, requeue on close
 * and per-message expiration, as RabbitMQ 3.10 does them. Every case runs
 * against the embedded broker and RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";
import { type Message } from "./support/amqplib.ts";
import { bodies, collect, drain, msg, queueWith, range, text } from "./support/messages.ts";
import { expectChannelClosed } from "./support/expectations.ts";
import { sleep, waitFor } from "./support/timing.ts";

// --- ack / nack / reject / recover ---------------------------------------------------

forEachBroker("ack with multiple acknowledges everything up to the tag", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, range(4));
  const ch = await c.channel();
  const ms: Message[] = [];
  for (let i = 0; i < 4; i++) ms.push((await ch.get(q, { noAck: false })) as Message);
  assert.deepEqual(ms.map((m) => m.fields.deliveryTag), [1, 2, 3, 4]);
  ch.ack(ms[2]!, true); // 1..3
  await ch.close();
  const ch2 = await c.channel();
  const left = await drain(ch2, q);
  assert.deepEqual(bodies(left), ["m3"]);
  assert.equal(left[0]!.fields.redelivered, true);
});

forEachBroker(
  "nack with multiple and requeue puts messages back in order, redelivered",
  async (t) => {
    const c = await t.open();
    const { q } = await queueWith(t, c, range(4));
    const ch = await c.channel();
    const ms: Message[] = [];
    for (let i = 0; i < 3; i++) ms.push((await ch.get(q, { noAck: false })) as Message);
    ch.nack(ms[2]!, true, true);
    const again = await drain(ch, q);
    assert.deepEqual(bodies(again), ["m0", "m1", "m2", "m3"]);
    assert.deepEqual(again.map((m) => m.fields.redelivered), [true, true, true, false]);
  },
);

forEachBroker("reject and nack without requeue drop the message", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, range(3));
  const ch = await c.channel();
  const m0 = (await ch.get(q, { noAck: false })) as Message;
  const m1 = (await ch.get(q, { noAck: false })) as Message;
  ch.reject(m0, false);
  ch.nack(m1, false, false);
  const m2 = (await ch.get(q, { noAck: false })) as Message;
  ch.reject(m2, true);
  const left = await drain(ch, q);
  assert.deepEqual(bodies(left), ["m2"]);
  assert.equal(left[0]!.fields.redelivered, true);
});

forEachBroker(
  "basic.recover redelivers unacknowledged messages with redelivered set",
  async (t) => {
    const c = await t.open();
    const { q } = await queueWith(t, c, range(3));
    const ch = await c.channel();
    await ch.prefetch(10);
    const a = await collect(ch, q);
    await waitFor(() => a.got.length === 3, "3 deliveries");
    ch.ack(a.got[0]!);
    await ch.recover();
    await waitFor(() => a.got.length === 5, "2 redeliveries");
    assert.deepEqual(a.got.slice(3).map(text), ["m1", "m2"]);
    assert.deepEqual(a.got.slice(3).map((m) => m.fields.redelivered), [true, true]);
  },
);

forEachBroker("acking an unknown delivery tag is 406 PRECONDITION_FAILED", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, range(1));
  const ch = await c.channel();
  const m = (await ch.get(q, { noAck: false })) as Message;
  ch.ack(m);
  ch.ack(m); // twice: the tag is no longer known
  const err = await expectChannelClosed(ch, 406);
  assert.match(err.message, /unknown delivery tag 1/);
  const ch2 = await c.channel();
  ch2.ack({ ...m, fields: { ...m.fields, deliveryTag: 99 } } as Message);
  await expectChannelClosed(ch2, 406);
});

forEachBroker(
  "unacked messages are requeued in order with redelivered when a channel closes",
  async (t) => {
    const c = await t.open();
    const { q } = await queueWith(t, c, range(5));
    const ch = await c.channel();
    await ch.prefetch(3);
    const a = await collect(ch, q);
    await waitFor(() => a.got.length === 3, "3 deliveries");
    ch.ack(a.got[1]!);
    await waitFor(() => a.got.length === 4, "m3 delivered into the freed slot");
    await ch.close();
    const ch2 = await c.channel();
    const left = await drain(ch2, q);
    assert.deepEqual(bodies(left), ["m0", "m2", "m3", "m4"]);
    assert.deepEqual(left.map((m) => m.fields.redelivered), [true, true, true, false]);
  },
);

forEachBroker("unacked messages are requeued when the connection closes", async (t) => {
  const owner = await t.open();
  const { q } = await queueWith(t, owner, range(2));
  const ch = await owner.channel();
  await ch.get(q, { noAck: false });
  await ch.get(q, { noAck: false });
  await owner.close();
  const other = await t.open();
  const ch2 = await other.channel();
  const left = await waitFor(async () => {
    const got = await drain(ch2, q);
    return got.length === 2 && got;
  }, "requeued messages");
  assert.deepEqual(bodies(left), ["m0", "m1"]);
  assert.ok(left.every((m) => m.fields.redelivered));
});

forEachBroker("per-message expiration drops a message after its TTL", async (t) => {
  const c = await t.open();
  const { q, pub } = await queueWith(t, c, []);
  pub.sendToQueue(q, msg("short"), { expiration: "50" });
  pub.sendToQueue(q, msg("long"), { expiration: "60000" });
  await pub.waitForConfirms();
  await sleep(200);
  const ch = await c.channel();
  const left = await drain(ch, q);
  assert.deepEqual(bodies(left), ["long"]);
  assert.equal(left[0]!.properties.expiration, "60000");
});

forEachBroker("an invalid expiration property is 406 PRECONDITION_FAILED", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  ch.publish("amq.direct", "x", msg("x"), { expiration: "soon" });
  await expectChannelClosed(ch, 406);
});
