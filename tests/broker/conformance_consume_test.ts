/**
 * Conformance: basic.qos (prefetch per consumer and per channel) and
 * basic.consume/cancel (consumer tags, exclusive consumers, cancel
 * notifications, round-robin and prefetch-aware dispatch), as RabbitMQ 3.10
 * does them. Every case runs against the embedded broker and RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";
import { bodies, collect, drain, msg, queueWith, range, text } from "./support/messages.ts";
import { expectCode, expectConnectionClosed } from "./support/expectations.ts";
import { sleep, waitFor } from "./support/timing.ts";
import { methodFrame, Writer } from "./support/wire.ts";

// --- qos ---------------------------------------------------------------------

forEachBroker("basic.qos prefetch_count limits unacked deliveries per consumer", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, range(5));
  const ch = await c.channel();
  await ch.prefetch(2);
  const a = await collect(ch, q);
  await waitFor(() => a.got.length === 2, "2 deliveries");
  await sleep(100);
  assert.deepEqual(a.got.map(text), ["m0", "m1"]);
  ch.ack(a.got[0]!);
  await waitFor(() => a.got.length === 3, "a third delivery after one ack");
  await sleep(50);
  assert.equal(a.got.length, 3);
  ch.ack(a.got[2]!, true);
  await waitFor(() => a.got.length === 5, "the rest");
});

forEachBroker(
  "per-consumer prefetch applies to each consumer of a channel separately",
  async (t) => {
    const c = await t.open();
    const { q: q1 } = await queueWith(t, c, range(4, "a"));
    const { q: q2 } = await queueWith(t, c, range(4, "b"));
    const ch = await c.channel();
    await ch.prefetch(1); // global=false: applies to consumers started afterwards
    const a = await collect(ch, q1);
    const b = await collect(ch, q2);
    await waitFor(() => a.got.length === 1 && b.got.length === 1, "one each");
    await sleep(100);
    assert.equal(a.got.length + b.got.length, 2);
  },
);

forEachBroker(
  "basic.qos global=true shares one prefetch across the channel's consumers",
  async (t) => {
    const c = await t.open();
    const { q: q1 } = await queueWith(t, c, range(4, "a"));
    const { q: q2 } = await queueWith(t, c, range(4, "b"));
    const ch = await c.channel();
    await ch.prefetch(3, true);
    const a = await collect(ch, q1);
    const b = await collect(ch, q2);
    await waitFor(() => a.got.length + b.got.length === 3, "3 deliveries in all");
    await sleep(100);
    assert.equal(a.got.length + b.got.length, 3);
    ch.ackAll();
    await waitFor(() => a.got.length + b.got.length === 6, "3 more after acking");
  },
);

forEachBroker(
  "per-consumer and channel-wide prefetch together: each consumer and the channel stay in bounds",
  async (t) => {
    const c = await t.open();
    const { q: q1 } = await queueWith(t, c, range(5, "a"));
    const { q: q2 } = await queueWith(t, c, range(5, "b"));
    const ch = await c.channel();
    await ch.prefetch(2); // each consumer started after this: at most 2
    await ch.prefetch(3, true); // the whole channel: at most 3
    const a = await collect(ch, q1);
    const b = await collect(ch, q2);
    await waitFor(() => a.got.length + b.got.length === 3, "3 deliveries in all");
    await sleep(100);
    assert.equal(a.got.length + b.got.length, 3);
    assert.ok(a.got.length <= 2 && b.got.length <= 2, `${a.got.length} and ${b.got.length}`);
    ch.ack(a.got[0]!);
    await waitFor(() => a.got.length + b.got.length === 4, "one more after one ack");
    await sleep(100);
    assert.equal(a.got.length + b.got.length, 4);
  },
);

forEachBroker("basic.qos with prefetch_size is 540 NOT_IMPLEMENTED, as RabbitMQ", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(methodFrame(1, 60, 10, new Writer().long(1000).short(0).bit(false).done()));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 540);
});

// --- consume / cancel ------------------------------------------------------------

forEachBroker("basic.consume generates amq.ctag- tags and echoes given ones", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, []);
  const ch = await c.channel();
  const a = await ch.consume(q, () => {});
  assert.match(a.consumerTag, /^amq\.ctag-[A-Za-z0-9_-]{10,}$/);
  const b = await ch.consume(q, () => {});
  assert.notEqual(a.consumerTag, b.consumerTag);
  const mine = t.name("tag");
  assert.equal((await ch.consume(q, () => {}, { consumerTag: mine })).consumerTag, mine);
});

forEachBroker("reusing a consumer tag on a channel is 530 NOT_ALLOWED", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, []);
  const ch = await c.channel();
  await ch.consume(q, () => {}, { consumerTag: "same" });
  ch.consume(q, () => {}, { consumerTag: "same" }).catch(() => {});
  await expectConnectionClosed(c, 530);
});

forEachBroker(
  "an exclusive consumer excludes others (403) and needs the queue to itself",
  async (t) => {
    const c = await t.open();
    const { q } = await queueWith(t, c, []);
    const ch = await c.channel();
    await ch.consume(q, () => {}, { exclusive: true });
    const err = await expectCode((await c.channel()).consume(q, () => {}), 403);
    assert.match(err.message, /ACCESS_REFUSED/);
    const { q: q2 } = await queueWith(t, c, []);
    await (await c.channel()).consume(q2, () => {});
    await expectCode((await c.channel()).consume(q2, () => {}, { exclusive: true }), 403);
  },
);

forEachBroker(
  "consumers with a higher x-priority are served first; lower ones only when those are full",
  async (t) => {
    const c = await t.open();
    const { q, pub } = await queueWith(t, c, []);
    const ch = await c.channel();
    await ch.prefetch(1);
    const high = await collect(ch, q, { arguments: { "x-priority": 10 } });
    await ch.prefetch(10);
    const low = await collect(ch, q, { arguments: { "x-priority": -5 } });
    const plain = await collect(ch, q);
    for (const m of range(4)) pub.sendToQueue(q, msg(m));
    await pub.waitForConfirms();
    await waitFor(() => high.got.length + low.got.length + plain.got.length === 4, "4 deliveries");
    await sleep(50);
    assert.deepEqual(high.got.map(text), ["m0"]);
    assert.deepEqual(plain.got.map(text), ["m1", "m2", "m3"], "priority 0 before -5");
    assert.deepEqual(low.got.map(text), []);
    ch.ack(high.got[0]!);
    pub.sendToQueue(q, msg("m4"));
    await pub.waitForConfirms();
    await waitFor(() => high.got.length === 2, "the high-priority consumer has room again");
    assert.equal(text(high.got[1]!), "m4");
  },
);

forEachBroker(
  "a consume x-priority that is not an integer is 406 PRECONDITION_FAILED",
  async (t) => {
    const c = await t.open();
    const { q } = await queueWith(t, c, []);
    const ch = await c.channel();
    await expectCode(ch.consume(q, () => {}, { arguments: { "x-priority": "high" } }), 406);
  },
);

forEachBroker(
  "x-single-active-consumer: one consumer gets everything until it goes, then the next",
  async (t) => {
    const c = await t.open();
    const ch = await c.confirmChannel();
    const q = t.queue();
    await ch.assertQueue(q, { arguments: { "x-single-active-consumer": true } });
    const firstCh = await c.channel();
    const first = await collect(firstCh, q, { noAck: true });
    const second = await collect(await c.channel(), q, { noAck: true });
    assert.equal((await ch.checkQueue(q)).consumerCount, 2);
    for (const m of range(3)) ch.sendToQueue(q, msg(m));
    await ch.waitForConfirms();
    await waitFor(() => first.got.length === 3, "3 deliveries to the active consumer");
    await sleep(50);
    assert.equal(second.got.length, 0, "the other consumer waits");
    await firstCh.cancel(first.tag);
    for (const m of ["m3", "m4"]) ch.sendToQueue(q, msg(m));
    await ch.waitForConfirms();
    await waitFor(() => second.got.length === 2, "the next consumer takes over");
    assert.deepEqual(second.got.map(text), ["m3", "m4"]);
  },
);

forEachBroker("basic.cancel stops deliveries; cancelling an unknown tag is fine", async (t) => {
  const c = await t.open();
  const { q, pub } = await queueWith(t, c, ["before"]);
  const ch = await c.channel();
  const a = await collect(ch, q, { noAck: true });
  await waitFor(() => a.got.length === 1, "first delivery");
  await ch.cancel(a.tag);
  pub.sendToQueue(q, msg("after"));
  await pub.waitForConfirms();
  await sleep(100);
  assert.deepEqual(a.got.map(text), ["before"]);
  assert.deepEqual(bodies(await drain(ch, q)), ["after"]);
  await ch.cancel("no-such-tag");
  await ch.checkQueue(q);
});

forEachBroker(
  "deliveries stay unacked after basic.cancel and can still be acked or requeued",
  async (t) => {
    const c = await t.open();
    const { q } = await queueWith(t, c, range(3));
    const ch = await c.channel();
    await ch.prefetch(2);
    const a = await collect(ch, q);
    await waitFor(() => a.got.length === 2, "2 deliveries");
    await ch.cancel(a.tag);
    assert.equal((await ch.checkQueue(q)).messageCount, 1, "the two stay unacked");
    ch.ack(a.got[0]!);
    ch.nack(a.got[1]!, false, true);
    const left = await drain(ch, q);
    assert.deepEqual(bodies(left), ["m1", "m2"]);
    assert.deepEqual(left.map((m) => m.fields.redelivered), [true, false]);
  },
);

forEachBroker("deleting a queue notifies its consumers with basic.cancel", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, []);
  const ch = await c.channel();
  const a = await collect(ch, q);
  await (await c.channel()).deleteQueue(q);
  await waitFor(() => a.cancelled, "consumer cancelled by the server");
  await ch.checkExchange("amq.direct"); // the channel stays open
});

forEachBroker("consumers on one queue get messages round-robin", async (t) => {
  const c = await t.open();
  const { q, pub } = await queueWith(t, c, []);
  const ch = await c.channel();
  const a = await collect(ch, q, { noAck: true });
  const b = await collect(ch, q, { noAck: true });
  for (const m of range(6)) pub.sendToQueue(q, msg(m));
  await pub.waitForConfirms();
  await waitFor(() => a.got.length + b.got.length === 6, "6 deliveries");
  const seen = [a.got.map(text), b.got.map(text)].sort((x, y) => x[0]!.localeCompare(y[0]!));
  assert.deepEqual(seen, [["m0", "m2", "m4"], ["m1", "m3", "m5"]]);
});

forEachBroker("a consumer at its prefetch limit is skipped for one with room", async (t) => {
  const c = await t.open();
  const { q, pub } = await queueWith(t, c, []);
  const slowCh = await c.channel();
  await slowCh.prefetch(1);
  const slow = await collect(slowCh, q); // never acks
  const fastCh = await c.channel();
  await fastCh.prefetch(1);
  const fast = { got: [] as string[] };
  await fastCh.consume(q, (m) => {
    if (!m) return;
    fast.got.push(text(m));
    fastCh.ack(m);
  });
  for (const m of range(6)) pub.sendToQueue(q, msg(m));
  await pub.waitForConfirms();
  await waitFor(() => slow.got.length + fast.got.length === 6, "6 deliveries");
  assert.equal(slow.got.length, 1);
  assert.equal(fast.got.length, 5);
});
