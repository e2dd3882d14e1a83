/**
 * Conformance: queues and their x-arguments, as RabbitMQ 3.10 does them.
 * Every case runs against the embedded broker and RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import { type BrokerCase, forEachBroker } from "./support/targets.ts";
import { type GetMessage } from "./support/amqplib.ts";
import { bodies, drain, msg, publishConfirmed } from "./support/messages.ts";
import { expectChannelClosed, expectCode, waitForQueueDeleted } from "./support/expectations.ts";
import { sleep, waitFor } from "./support/timing.ts";

forEachBroker(
  "queue.declare with an empty name creates a server-named amq.gen- queue",
  async (t) => {
    const c = await t.open();
    const ch = await c.channel();
    const ok = await ch.assertQueue("", { exclusive: true });
    assert.match(ok.queue, /^amq\.gen-[A-Za-z0-9_-]{10,}$/);
    assert.equal(ok.messageCount, 0);
    assert.equal(ok.consumerCount, 0);
    const other = await ch.assertQueue("", { exclusive: true });
    assert.notEqual(other.queue, ok.queue);
    await ch.checkQueue(ok.queue);
  },
);

forEachBroker("queue.declare of a name starting with amq. is 403 ACCESS_REFUSED", async (t) => {
  const c = await t.open();
  await expectCode((await c.channel()).assertQueue(`amq.${t.name("q")}`), 403);
});

forEachBroker("queue.declare-ok reports the message and consumer counts", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  for (let i = 0; i < 3; i++) ch.sendToQueue(q, msg(`m${i}`));
  await ch.waitForConfirms();
  const consumer = await c.channel();
  await consumer.prefetch(1);
  await consumer.consume(q, () => {});
  const ok = await waitFor(async () => {
    const r = await ch.checkQueue(q);
    return r.messageCount === 2 && r;
  }, "2 ready messages");
  assert.equal(ok.consumerCount, 1);
});

forEachBroker("passive queue.declare of a missing queue fails with 404", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  const q = t.name("missing");
  const err = await expectCode(ch.checkQueue(q), 404);
  assert.match(err.message, new RegExp(`NOT_FOUND - no queue '${q}' in vhost '/'`));
  await expectChannelClosed(ch, 404);
});

forEachBroker("redeclaring a queue with different properties fails with 406", async (t) => {
  const c = await t.open();
  const q = t.queue();
  await (await c.channel()).assertQueue(q, { durable: false, arguments: { "x-max-length": 5 } });
  await (await c.channel()).assertQueue(q, { durable: false, arguments: { "x-max-length": 5 } });
  const changes = [
    { durable: true, arguments: { "x-max-length": 5 } },
    { durable: false, autoDelete: true, arguments: { "x-max-length": 5 } },
    { durable: false, arguments: { "x-max-length": 6 } },
    { durable: false, arguments: {} },
  ];
  for (const options of changes) {
    await t.step(JSON.stringify(options), async () => {
      const ch = await c.channel();
      const err = await expectCode(ch.assertQueue(q, options), 406);
      assert.match(err.message, /PRECONDITION_FAILED - inequivalent arg/);
    });
  }
});

forEachBroker(
  "an exclusive queue is locked (405) for other connections and deleted with its owner",
  async (t) => {
    const owner = await t.open();
    const other = await t.open();
    const q = t.queue();
    const och = await owner.channel();
    await och.assertQueue(q, { exclusive: true });
    await och.checkQueue(q);
    const attempts: [
      string,
      (ch: Awaited<ReturnType<typeof other.channel>>) => Promise<unknown>,
    ][] = [
      ["passive declare", (ch) => ch.checkQueue(q)],
      ["declare", (ch) => ch.assertQueue(q, { exclusive: true })],
      ["consume", (ch) => ch.consume(q, () => {})],
      ["get", (ch) => ch.get(q)],
      ["delete", (ch) => ch.deleteQueue(q)],
      ["purge", (ch) => ch.purgeQueue(q)],
      ["bind", (ch) => ch.bindQueue(q, "amq.direct", q)],
    ];
    for (const [what, attempt] of attempts) {
      await t.step(what, async () => {
        const ch = await other.channel();
        const err = await expectCode(attempt(ch), 405).catch((e) => {
          throw new Error(`${what}: ${e.message}`);
        });
        assert.match(err.message, /RESOURCE_LOCKED/);
      });
    }
    await owner.close();
    await waitForQueueDeleted(other, q, "exclusive queue deleted after its owner closed");
  },
);

forEachBroker("an auto-delete queue is deleted when its last consumer goes", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  const q = t.queue();
  await ch.assertQueue(q, { autoDelete: true });
  await sleep(50);
  await ch.checkQueue(q); // never consumed: still there
  const a = await ch.consume(q, () => {});
  const b = await ch.consume(q, () => {});
  await ch.cancel(a.consumerTag);
  await ch.checkQueue(q); // one consumer left
  await ch.cancel(b.consumerTag);
  await waitForQueueDeleted(c, q, "auto-delete queue deleted");
});

forEachBroker("queue.bind with a missing exchange or queue fails with 404", async (t) => {
  const c = await t.open();
  const q = t.queue();
  const x = t.exchange();
  const setup = await c.channel();
  await setup.assertQueue(q);
  await setup.assertExchange(x, "direct");
  await expectCode((await c.channel()).bindQueue(q, t.name("nox"), "k"), 404);
  await expectCode((await c.channel()).bindQueue(t.name("noq"), x, "k"), 404);
});

forEachBroker(
  "queue.unbind is idempotent, even for a missing exchange or queue (RabbitMQ 3.10)",
  async (t) => {
    const c = await t.open();
    const q = t.queue();
    const x = t.exchange();
    const ch = await c.channel();
    await ch.assertQueue(q);
    await ch.assertExchange(x, "direct");
    await ch.unbindQueue(q, x, "never-bound");
    await ch.unbindQueue(q, t.name("nox"), "k");
    await ch.unbindQueue(t.name("noq"), x, "k");
    await ch.unbindExchange(x, t.name("nox"), "k");
    await ch.checkQueue(q); // the channel is still open
  },
);

forEachBroker("queue.purge and queue.delete return message counts", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  for (let i = 0; i < 4; i++) ch.sendToQueue(q, msg(`m${i}`));
  await ch.waitForConfirms();
  assert.equal((await ch.purgeQueue(q)).messageCount, 4);
  assert.equal((await ch.purgeQueue(q)).messageCount, 0);
  for (let i = 0; i < 3; i++) ch.sendToQueue(q, msg(`m${i}`));
  await ch.waitForConfirms();
  assert.equal((await ch.deleteQueue(q)).messageCount, 3);
  await expectCode(ch.checkQueue(q), 404);
  // Deleting a queue that does not exist is not an error in RabbitMQ 3.x.
  const ch2 = await c.channel();
  assert.equal((await ch2.deleteQueue(t.name("missing"))).messageCount, 0);
});

forEachBroker("purge does not touch unacknowledged messages", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  for (let i = 0; i < 3; i++) ch.sendToQueue(q, msg(`m${i}`));
  await ch.waitForConfirms();
  const held = await ch.get(q, { noAck: false });
  assert.ok(held);
  assert.equal((await ch.purgeQueue(q)).messageCount, 2);
  ch.nack(held, false, true);
  assert.deepEqual(bodies(await drain(ch, q)), ["m0"]);
});

forEachBroker("queue.delete if-empty and if-unused refuse with 406", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  ch.sendToQueue(q, msg("x"));
  await ch.waitForConfirms();
  await expectCode(ch.deleteQueue(q, { ifEmpty: true }), 406);
  const ch2 = await c.channel();
  await ch2.purgeQueue(q);
  const consumer = await c.channel();
  const { consumerTag } = await consumer.consume(q, () => {});
  await expectCode(ch2.deleteQueue(q, { ifUnused: true }), 406);
  await consumer.cancel(consumerTag);
  const ch3 = await c.channel();
  await ch3.deleteQueue(q, { ifUnused: true, ifEmpty: true });
  await expectCode(ch3.checkQueue(q), 404);
});

forEachBroker("x-message-ttl expires messages that wait too long", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-message-ttl": 100 } });
  ch.sendToQueue(q, msg("old"));
  await ch.waitForConfirms();
  await sleep(250);
  ch.sendToQueue(q, msg("new"));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), ["new"]);
});

forEachBroker("x-message-ttl 0 drops a message that cannot be delivered at once", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-message-ttl": 0 } });
  ch.sendToQueue(q, msg("gone"));
  await ch.waitForConfirms();
  await sleep(20);
  assert.deepEqual(bodies(await drain(ch, q)), []);
});

forEachBroker("x-expires deletes an unused queue", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-expires": 150 } });
  // Polling with a passive declare would count as use and restart the
  // timer (as in RabbitMQ), so wait once, long enough.
  await sleep(600);
  await expectCode(ch.checkQueue(q), 404);
});

forEachBroker("x-max-length drops from the head by default", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-max-length": 2 } });
  for (const s of ["1", "2", "3", "4"]) ch.sendToQueue(q, msg(s));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), ["3", "4"]);
});

forEachBroker(
  "a message requeued into a full drop-head queue counts again: the head is dropped",
  async (t) => {
    const c = await t.open();
    const ch = await c.confirmChannel();
    const q = t.queue();
    await ch.assertQueue(q, { arguments: { "x-max-length": 2 } });
    for (const s of ["1", "2"]) ch.sendToQueue(q, msg(s));
    await ch.waitForConfirms();
    const first = (await ch.get(q, { noAck: false })) as GetMessage;
    ch.sendToQueue(q, msg("3")); // room: only ready messages count
    await ch.waitForConfirms();
    ch.nack(first, false, true); // back at the head, one too many
    assert.deepEqual(bodies(await drain(ch, q)), ["2", "3"]);
  },
);

forEachBroker("x-overflow reject-publish does not drop requeued messages", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-max-length": 1, "x-overflow": "reject-publish" } });
  ch.sendToQueue(q, msg("1"));
  await ch.waitForConfirms();
  const first = (await ch.get(q, { noAck: false })) as GetMessage;
  ch.sendToQueue(q, msg("2"));
  await ch.waitForConfirms();
  ch.nack(first, false, true);
  assert.deepEqual(bodies(await drain(ch, q)), ["1", "2"]);
});

forEachBroker("x-max-length-bytes bounds the total body size", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-max-length-bytes": 10 } });
  for (const s of ["aaaaa", "bbbbb", "ccccc", "ddddd"]) ch.sendToQueue(q, msg(s));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), ["ccccc", "ddddd"]);
});

forEachBroker("x-overflow reject-publish nacks confirms once the queue is full", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-max-length": 2, "x-overflow": "reject-publish" } });
  const results = [];
  for (const s of ["1", "2", "3"]) results.push(await publishConfirmed(ch, q, s));
  assert.deepEqual(results, ["ack", "ack", "nack"]);
  assert.deepEqual(bodies(await drain(ch, q)), ["1", "2"]);
});

forEachBroker("x-overflow drop-head keeps the newest messages", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-max-length": 1, "x-overflow": "drop-head" } });
  const results = [];
  for (const s of ["1", "2", "3"]) results.push(await publishConfirmed(ch, q, s));
  assert.deepEqual(results, ["ack", "ack", "ack"]);
  assert.deepEqual(bodies(await drain(ch, q)), ["3"]);
});

interface XDeath {
  count: number;
  reason: string;
  queue: string;
  exchange: string;
  "routing-keys": string[];
  time: unknown;
  "original-expiration"?: string;
}

async function deadLetterSetup(
  t: BrokerCase,
  args: Record<string, unknown>,
) {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const dlx = t.exchange("dlx");
  const dlq = t.queue("dlq");
  const q = t.queue("src");
  await ch.assertExchange(dlx, "direct");
  await ch.assertQueue(dlq);
  await ch.bindQueue(dlq, dlx, "dead");
  await ch.assertQueue(q, {
    arguments: { "x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "dead", ...args },
  });
  return { c, ch, dlx, dlq, q };
}

forEachBroker("a rejected message is dead-lettered with an x-death header", async (t) => {
  const { ch, dlx, dlq, q } = await deadLetterSetup(t, {});
  ch.sendToQueue(q, msg("bad"), { headers: { mine: "kept" } });
  await ch.waitForConfirms();
  const m = await ch.get(q, { noAck: false });
  assert.ok(m);
  ch.reject(m, false);
  const dead = await waitFor(() => ch.get(dlq, { noAck: true }), "dead-lettered message");
  assert.equal(dead.content.toString(), "bad");
  assert.equal(dead.fields.exchange, dlx);
  assert.equal(dead.fields.routingKey, "dead");
  const headers = dead.properties.headers as Record<string, unknown>;
  assert.equal(headers.mine, "kept");
  const deaths = headers["x-death"] as XDeath[];
  assert.equal(deaths.length, 1);
  const [death] = deaths;
  assert.equal(death!.count, 1);
  assert.equal(death!.reason, "rejected");
  assert.equal(death!.queue, q);
  assert.equal(death!.exchange, "");
  assert.deepEqual(death!["routing-keys"], [q]);
  assert.ok(death!.time !== undefined);
  assert.equal(headers["x-first-death-reason"], "rejected");
  assert.equal(headers["x-first-death-queue"], q);
  assert.equal(headers["x-first-death-exchange"], "");
});

forEachBroker("expired and overflowed messages are dead-lettered with their reasons", async (t) => {
  const { ch, dlq, q } = await deadLetterSetup(t, { "x-max-length": 1 });
  ch.sendToQueue(q, msg("first"));
  ch.sendToQueue(q, msg("second")); // pushes "first" out: maxlen
  await ch.waitForConfirms();
  const overflowed = await waitFor(() => ch.get(dlq, { noAck: true }), "maxlen dead letter");
  assert.equal(overflowed.content.toString(), "first");
  const death = (overflowed.properties.headers as Record<string, XDeath[]>)["x-death"]![0]!;
  assert.equal(death.reason, "maxlen");
  await ch.purgeQueue(q);
  ch.sendToQueue(q, msg("short"), { expiration: "50" });
  await ch.waitForConfirms();
  const expired = await waitFor(async () => {
    await ch.checkQueue(q); // RabbitMQ expires lazily at the head; a declare nudges it
    return await ch.get(dlq, { noAck: true });
  }, "expired dead letter");
  assert.equal(expired.content.toString(), "short");
  const expiredDeath = (expired.properties.headers as Record<string, XDeath[]>)["x-death"]![0]!;
  assert.equal(expiredDeath.reason, "expired");
  assert.equal(expiredDeath["original-expiration"], "50");
  assert.equal(expired.properties.expiration, undefined);
});

forEachBroker(
  "without x-dead-letter-routing-key a dead letter keeps its routing key",
  async (t) => {
    const c = await t.open();
    const ch = await c.confirmChannel();
    const dlx = t.exchange("dlx");
    const dlq = t.queue("dlq");
    const x = t.exchange("src-x");
    const q = t.queue("src");
    await ch.assertExchange(dlx, "topic");
    await ch.assertExchange(x, "direct");
    await ch.assertQueue(dlq);
    await ch.bindQueue(dlq, dlx, "orders.#");
    await ch.assertQueue(q, { arguments: { "x-dead-letter-exchange": dlx } });
    await ch.bindQueue(q, x, "orders.new");
    ch.publish(x, "orders.new", msg("o1"));
    await ch.waitForConfirms();
    const m = await waitFor(() => ch.get(q, { noAck: false }), "message in q");
    ch.nack(m, false, false);
    const dead = await waitFor(() => ch.get(dlq, { noAck: true }), "dead letter");
    assert.equal(dead.fields.routingKey, "orders.new");
    const death = (dead.properties.headers as Record<string, XDeath[]>)["x-death"]![0]!;
    assert.equal(death.exchange, x);
    assert.deepEqual(death["routing-keys"], ["orders.new"]);
  },
);

forEachBroker(
  "a message dead-lettered twice through the same queue counts up in x-death",
  async (t) => {
    const { ch, dlx, dlq, q } = await deadLetterSetup(t, {});
    // Route the dead letters back into q as well, then reject twice.
    await ch.bindQueue(q, dlx, "dead");
    await ch.unbindQueue(dlq, dlx, "dead");
    ch.sendToQueue(q, msg("loop"));
    await ch.waitForConfirms();
    for (let i = 0; i < 2; i++) {
      const m = await waitFor(() => ch.get(q, { noAck: false }), "message in q");
      ch.reject(m, false);
    }
    const m = await waitFor(() => ch.get(q, { noAck: true }), "message after two deaths");
    const deaths = (m.properties.headers as Record<string, XDeath[]>)["x-death"]!;
    assert.equal(deaths.length, 1);
    assert.equal(deaths[0]!.count, 2);
    assert.equal(deaths[0]!.reason, "rejected");
  },
);

forEachBroker("x-max-priority delivers higher priorities first, FIFO within one", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q, { arguments: { "x-max-priority": 10 } });
  const sent: [string, number | undefined][] = [
    ["p1", 1],
    ["p5a", 5],
    ["none", undefined],
    ["p9", 9],
    ["p5b", 5],
    ["p200", 200], // above the max: counts as the max, so before p9
  ];
  for (const [body, priority] of sent) ch.sendToQueue(q, msg(body), { priority });
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), ["p200", "p9", "p5a", "p5b", "p1", "none"]);
});

forEachBroker(
  "an unknown x-queue-type is 406 PRECONDITION_FAILED; classic is accepted",
  async (t) => {
    const c = await t.open();
    const ch = await c.channel();
    const err = await expectCode(
      ch.assertQueue(t.queue(), { arguments: { "x-queue-type": "no-such-type" } }),
      406,
    );
    assert.match(err.message, /unsupported queue type 'no-such-type'/);
    await expectChannelClosed(ch, 406);
    const ok = await (await c.channel()).assertQueue(t.queue(), {
      arguments: { "x-queue-type": "classic" },
    });
    assert.equal(ok.messageCount, 0);
  },
);

forEachBroker("a queue argument of the wrong type is 406 PRECONDITION_FAILED", async (t) => {
  const c = await t.open();
  await expectCode(
    (await c.channel()).assertQueue(t.queue(), { arguments: { "x-message-ttl": "soon" } }),
    406,
  );
  await expectCode(
    (await c.channel()).assertQueue(t.queue(), { arguments: { "x-max-length": -1 } }),
    406,
  );
  const sac = await expectCode(
    (await c.channel()).assertQueue(t.queue(), {
      arguments: { "x-single-active-consumer": "yes" },
    }),
    406,
  );
  assert.match(sac.message, /invalid arg 'x-single-active-consumer'.*unacceptable_type,longstr/);
});
