/**
 * A publisher's pace, on the embedded broker and RabbitMQ: 1 000 messages
 * at 200/s arrive at 200/s within 10% (first to last arrival at a consumer
 * of the test's own), and the rate its actor row shows agrees within 10%.
 * This is a rate, not a speed: the schedule decides it, not the machine.
 */
import { ok as assert } from "node:assert/strict";
import { openClient } from "../../broker/support/amqplib.ts";
import { mqTest } from "./support.ts";

mqTest("1 000 messages at 200/s flow at 200/s within 10%", async (lab) => {
  const client = await openClient(lab.url, {});
  try {
    const ch = await client.channel();
    const { queue } = await ch.assertQueue("", { exclusive: true });
    const arrivals: number[] = [];
    await ch.consume(queue, () => void arrivals.push(performance.now()), { noAck: true });
    const reply = await lab.send({
      type: "mq-publish",
      options: { exchange: "", routingKey: queue, body: "tick", ratePerS: 200, count: 1000 },
    });
    assert(reply.ok, reply.message);
    const shown: number[] = [];
    await lab.until(
      (mq) => {
        const row = mq.actors[0]!;
        // the row's rate once a full second of the run is behind it
        if (row.published >= 300 && row.published <= 900) shown.push(row.ratePerS);
        return arrivals.length === 1000;
      },
      "1 000 arrivals",
      20_000,
    );
    const rate = (999 * 1000) / (arrivals.at(-1)! - arrivals[0]!);
    assert(Math.abs(rate - 200) <= 20, `measured ${rate.toFixed(1)}/s`);
    assert(shown.length > 0, "the row's rate was seen mid-run");
    const mid = shown.at(-1)!;
    assert(Math.abs(mid - 200) <= 20, `shown ${mid}/s (all: ${shown.join(",")})`);
  } finally {
    await client.close();
  }
});
