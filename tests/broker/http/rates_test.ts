/**
 * Rates equal what flowed: messages published and consumed at a known rate
 * on the broker's fake clock, and every `*_details.rate` the API shows for
 * them (queue, exchange, vhost, overview) is that rate. No real waiting: the
 * sampler runs when the test advances the clock.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Buffer, openClient } from "../support/amqplib.ts";
import { FakeTimers } from "../support/fake_timers.ts";
import { sleep } from "../support/timing.ts";
import { RateSampler, withRates } from "../../../src/broker/http/rates.ts";
import { testOpts, withApi } from "./support.ts";

Deno.test("RateSampler: a counter's rate is its change over the last second", () => {
  const timers = new FakeTimers();
  const key = {};
  let n = 0;
  const sampler = new RateSampler(timers, () => [[key, { publish: n }]]);
  sampler.start();
  timers.advance(1000); // first sample: no rate yet
  assertEquals(withRates(sampler, key, { publish: n }), {
    publish: 0,
    publish_details: { rate: 0 },
  });
  n += 25;
  timers.advance(1000);
  assertEquals(sampler.rate(key, "publish"), 25);
  n += 5;
  timers.advance(1000);
  assertEquals(sampler.rate(key, "publish"), 5);
  timers.advance(1000);
  assertEquals(sampler.rate(key, "publish"), 0);
  sampler.stop();
  assertEquals(timers.pending, 0);
});

Deno.test(
  "management API: rates equal what flowed, per queue, exchange, vhost and overview",
  testOpts,
  async () => {
    const timers = new FakeTimers();
    await withApi(async ({ call, get, broker }) => {
      await call("PUT", "exchanges/%2F/ticks", { type: "fanout", durable: false });
      await call("PUT", "queues/%2F/ticks", { durable: false });
      await call("POST", "bindings/%2F/e/ticks/q/ticks", {});
      const queue = broker.core.vhosts.get("/")!.queues.get("ticks")!;
      const client = await openClient(broker.url, {});
      try {
        const pub = await client.confirmChannel();
        const sub = await client.channel();
        await sub.consume("ticks", (m) => m && sub.ack(m));
        /** One fake second in which `n` messages are published, delivered and acked. */
        const second = async (n: number) => {
          const acked = queue.stats.ack + n;
          for (let i = 0; i < n; i++) pub.publish("ticks", "", Buffer.from("tick"));
          await pub.waitForConfirms();
          while (queue.stats.ack < acked) await sleep(1);
          timers.advance(1000);
        };
        const rate = (stats: Record<string, { rate: number }>, name: string) =>
          stats[`${name}_details`]!.rate;

        await second(0); // the first sample
        for (const n of [40, 40]) await second(n);
        let q = (await get("queues/%2F/ticks")).json;
        for (const name of ["publish", "deliver", "deliver_get", "ack"]) {
          assertEquals(rate(q.message_stats, name), 40, name);
        }
        assertEquals(q.message_stats.publish, 80);
        const x = (await get("exchanges/%2F/ticks")).json;
        assertEquals([rate(x.message_stats, "publish_in"), rate(x.message_stats, "publish_out")], [
          40,
          40,
        ]);
        const o = (await get("overview")).json;
        assertEquals([rate(o.message_stats, "publish"), rate(o.message_stats, "ack")], [40, 40]);
        const [v] = (await get("vhosts")).json;
        assertEquals(rate(v.message_stats, "deliver_get"), 40);

        // The rate follows the flow down, then to zero.
        await second(7);
        q = (await get("queues/%2F/ticks")).json;
        assertEquals(rate(q.message_stats, "publish"), 7);
        await second(0);
        q = (await get("queues/%2F/ticks")).json;
        assertEquals(rate(q.message_stats, "ack"), 0);
        assertEquals(q.message_stats.ack, 87);
      } finally {
        await client.close();
      }
    }, { timers });
  },
);

Deno.test("management API: queue depth rates follow a backlog that grows", testOpts, async () => {
  const timers = new FakeTimers();
  await withApi(async ({ call, get }) => {
    await call("PUT", "queues/%2F/backlog", { durable: false });
    timers.advance(1000);
    for (let i = 0; i < 12; i++) {
      await call("POST", "exchanges/%2F/amq.default/publish", {
        routing_key: "backlog",
        payload: "x",
        payload_encoding: "string",
      });
    }
    timers.advance(1000);
    const q = (await get("queues/%2F/backlog")).json;
    assertEquals([q.messages, q.messages_details.rate, q.messages_ready_details.rate], [
      12,
      12,
      12,
    ]);
    const o = (await get("overview")).json;
    assertEquals(o.queue_totals.messages_details.rate, 12);
  }, { timers });
});
