/**
 * Conformance: tx.select/commit/rollback of publishes and acks, as RabbitMQ
 * 3.10 does them. Every case runs against the embedded broker and
 * RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";
import {
  type Message,
  rpc,
  TX_COMMIT,
  TX_COMMIT_OK,
  TX_ROLLBACK,
  TX_ROLLBACK_OK,
  TX_SELECT,
  TX_SELECT_OK,
} from "./support/amqplib.ts";
import { bodies, collect, drain, msg, queueWith, range, text } from "./support/messages.ts";
import { expectCode } from "./support/expectations.ts";
import { sleep, waitFor } from "./support/timing.ts";

// --- transactions ----------------------------------------------------------------

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
