/**
 * Conformance: basic.* (qos, consume, publish, get, ack/nack/reject,
 * recover, redelivery), publisher confirms, transactions and content
 * framing, as RabbitMQ 3.10 does them. Every case runs against the embedded
 * broker and RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import {
  bodies,
  Buffer,
  type Channel,
  type Client,
  concat,
  decodeClose,
  drain,
  expectChannelClosed,
  expectCode,
  expectConnectionClosed,
  forEachBroker,
  frame,
  FRAME_BODY,
  FRAME_HEADER,
  headerFrame,
  methodFrame,
  type RawClient,
  Reader,
  sleep,
  waitFor,
  Writer,
} from "./with_broker.ts";
// @ts-types="@types/amqplib"
import type { ConsumeMessage, Message } from "amqplib";

const msg = (s: string) => Buffer.from(s);
const text = (m: Message) => m.content.toString();

/** Consumes `q`, collecting deliveries (null = cancelled by the server). */
async function collect(
  ch: Channel,
  q: string,
  options: {
    noAck?: boolean;
    exclusive?: boolean;
    consumerTag?: string;
    arguments?: Record<string, unknown>;
  } = {},
) {
  const got: ConsumeMessage[] = [];
  let cancelled = false;
  const ok = await ch.consume(q, (m) => {
    if (m === null) cancelled = true;
    else got.push(m);
  }, options);
  return {
    got,
    tag: ok.consumerTag,
    get cancelled() {
      return cancelled;
    },
  };
}

async function queueWith(t: { queue(): string }, c: Client, messages: string[]) {
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  for (const m of messages) ch.sendToQueue(q, msg(m));
  await ch.waitForConfirms();
  return { q, pub: ch };
}

const range = (n: number, prefix = "m") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

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
  for (const [k, v] of Object.entries(props)) assert.deepEqual(got[k], v, k);
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

// --- transactions ----------------------------------------------------------------

const TX_SELECT = 0x5a000a;
const TX_SELECT_OK = 0x5a000b;
const TX_COMMIT = 0x5a0014;
const TX_COMMIT_OK = 0x5a0015;
const TX_ROLLBACK = 0x5a001e;
const TX_ROLLBACK_OK = 0x5a001f;
const CONFIRM_SELECT = 0x55000a;
const CONFIRM_SELECT_OK = 0x55000b;

/** amqplib has no tx API; its generic channel RPC sends any method. */
function rpc(ch: Channel, method: number, expect: number): Promise<unknown> {
  const fields = method === CONFIRM_SELECT ? { nowait: false } : {};
  return (ch as unknown as { rpc(m: number, f: object, e: number): Promise<unknown> })
    .rpc(method, fields, expect);
}

forEachBroker("tx.commit publishes and tx.rollback discards", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  const q = t.queue();
  await ch.assertQueue(q);
  await rpc(ch, TX_SELECT, TX_SELECT_OK);
  ch.sendToQueue(q, msg("rolled-back"));
  await rpc(ch, TX_ROLLBACK, TX_ROLLBACK_OK);
  ch.sendToQueue(q, msg("committed-1"));
  ch.sendToQueue(q, msg("committed-2"));
  const peek = await c.channel();
  assert.equal((await peek.checkQueue(q)).messageCount, 0, "nothing before commit");
  await rpc(ch, TX_COMMIT, TX_COMMIT_OK);
  assert.deepEqual(bodies(await drain(peek, q)), ["committed-1", "committed-2"]);
});

forEachBroker("acks inside a transaction take effect on commit only", async (t) => {
  const c = await t.open();
  const { q } = await queueWith(t, c, range(2));
  const ch = await c.channel();
  await rpc(ch, TX_SELECT, TX_SELECT_OK);
  const m0 = (await ch.get(q, { noAck: false })) as Message;
  const m1 = (await ch.get(q, { noAck: false })) as Message;
  ch.ack(m0);
  await rpc(ch, TX_ROLLBACK, TX_ROLLBACK_OK); // m0 stays unacked
  ch.ack(m1);
  await rpc(ch, TX_COMMIT, TX_COMMIT_OK);
  await ch.close();
  const ch2 = await c.channel();
  assert.deepEqual(bodies(await drain(ch2, q)), ["m0"]);
});

for (const global of [false, true]) {
  forEachBroker(
    `an ack inside a transaction frees its prefetch slot only on commit (global=${global})`,
    async (t) => {
      const c = await t.open();
      const { q } = await queueWith(t, c, range(3));
      const ch = await c.channel();
      await ch.prefetch(1, global);
      await rpc(ch, TX_SELECT, TX_SELECT_OK);
      const a = await collect(ch, q);
      await waitFor(() => a.got.length === 1, "the first delivery");
      ch.ack(a.got[0]!);
      await sleep(150);
      assert.deepEqual(a.got.map(text), ["m0"], "nothing more before commit");
      await rpc(ch, TX_COMMIT, TX_COMMIT_OK);
      await waitFor(() => a.got.length === 2, "the next delivery after commit");
      ch.ack(a.got[1]!);
      await rpc(ch, TX_ROLLBACK, TX_ROLLBACK_OK); // the ack is undone: m1 is unacked again
      await sleep(150);
      assert.deepEqual(a.got.map(text), ["m0", "m1"], "nothing more after rollback");
    },
  );
}

forEachBroker(
  "a message acked in a transaction never committed is requeued on close",
  async (t) => {
    const c = await t.open();
    const { q } = await queueWith(t, c, range(2));
    const ch = await c.channel();
    await rpc(ch, TX_SELECT, TX_SELECT_OK);
    const m0 = (await ch.get(q, { noAck: false })) as Message;
    ch.ack(m0);
    await ch.close();
    const ch2 = await c.channel();
    const left = await drain(ch2, q);
    assert.deepEqual(bodies(left), ["m0", "m1"], "no message lost");
    assert.equal(left[0]!.fields.redelivered, true);
  },
);

forEachBroker("tx.commit without tx.select is 406 PRECONDITION_FAILED", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  await expectCode(rpc(ch, TX_COMMIT, TX_COMMIT_OK), 406);
  const ch2 = await c.channel();
  await expectCode(rpc(ch2, TX_ROLLBACK, TX_ROLLBACK_OK), 406);
});

// --- content framing (raw) -------------------------------------------------------------

function publishFrame(
  channel: number,
  exchange: string,
  key: string,
  flags: { mandatory?: boolean; immediate?: boolean } = {},
): Uint8Array {
  return methodFrame(
    channel,
    60,
    40,
    new Writer().short(0).shortstr(exchange).shortstr(key).bit(!!flags.mandatory)
      .bit(!!flags.immediate).done(),
  );
}

function bodyFrame(channel: number, body: string): Uint8Array {
  return frame(FRAME_BODY, channel, new TextEncoder().encode(body));
}

async function declareRaw(raw: RawClient, q: string): Promise<void> {
  await raw.write(methodFrame(
    1,
    50,
    10,
    new Writer().short(0).shortstr(q).bit(false).bit(false).bit(false).bit(false).bit(false)
      .table({}).done(),
  ));
  await raw.expectMethod(50, 11);
}

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
