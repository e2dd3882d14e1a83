/**
 * The broker with a data dir, stopped and started again in-process: durable
 * exchanges, queues (with their arguments) and bindings come back, and so do
 * persistent messages in durable queues, in order, the ones delivered and
 * not acked marked redelivered; transient exchanges, queues and messages do
 * not, nor acked ones. (tests/broker/store/kill_test.ts does the same across
 * SIGKILL.)
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type RunningBroker, startBroker } from "../../../src/broker/server.ts";
import {
  channelClosed,
  openClient,
  rpc,
  TX_COMMIT,
  TX_COMMIT_OK,
  TX_SELECT,
  TX_SELECT_OK,
} from "../support/amqplib.ts";
import { sleep, withTimeout } from "../support/timing.ts";
import { msg, text } from "../support/messages.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function withBroker(
  dataDir: string,
  log: string[],
  fn: (b: RunningBroker) => Promise<void>,
): Promise<void> {
  const b = await startBroker({ port: 0, httpPort: 0, dataDir, log: (l) => log.push(l) });
  try {
    await fn(b);
  } finally {
    await b.close();
  }
}

Deno.test(
  "a restart brings back durable topology and persistent messages, not transient ones or acked ones",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "warren-restart-" });
    const log: string[] = [];
    try {
      await withBroker(dir, log, async (b) => {
        const c = await openClient(b.url, {});
        const ch = await c.confirmChannel();
        await ch.assertExchange("logs", "topic", { durable: true, arguments: { "x-note": 7 } });
        await ch.assertExchange("scratch", "fanout", { durable: false });
        await ch.assertQueue("tasks", { durable: true, arguments: { "x-max-priority": 3 } });
        await ch.assertQueue("temp", { durable: false });
        await ch.assertQueue("mine", { durable: true, exclusive: true });
        await ch.bindQueue("tasks", "logs", "a.#");
        await ch.bindQueue("temp", "logs", "a.#");
        await ch.bindQueue("tasks", "scratch", "");
        for (let i = 0; i < 8; i++) {
          const persistent = i !== 5;
          ch.publish("logs", "a.b", msg(`m${i}`), { persistent, headers: { i }, priority: i % 2 });
        }
        await ch.waitForConfirms();
        const acked = await ch.get("tasks"); // m1: priority 1 comes first
        const held = await ch.get("tasks"); // m3: delivered, never acked
        assert(acked && held);
        assertEquals([text(acked), text(held)], ["m1", "m3"]);
        ch.ack(acked);
        await ch.assertQueue("sync-point", { durable: true }); // after the ack, in order
        await c.close();
      });
      assertEquals(log, [
        `recovered 0 queues, 0 messages in 0.0 s (0 exchanges, 0 bindings; ${dir}/broker.db)`,
      ]);
      await withBroker(dir, log, async (b) => {
        assert(
          /^recovered 2 queues, 6 messages in \d+\.\d s \(1 exchange, 1 binding; /.test(log[1]!),
          log.join("\n"),
        );
        const v = b.core.vhosts.get("/")!;
        assertEquals([...v.queues.keys()].sort(), ["sync-point", "tasks"]);
        assert(v.exchanges.has("logs") && !v.exchanges.has("scratch"));
        assertEquals(v.exchanges.get("logs")!.options.arguments, { "x-note": 7 });
        assertEquals([...v.bindings()].map((x) => `${x.source} ${x.routingKey} ${x.name}`), [
          "logs a.# tasks",
        ]);
        const c = await openClient(b.url, {});
        const ch = await c.channel();
        const got: string[] = [];
        for (;;) {
          const m = await ch.get("tasks", { noAck: true });
          if (!m) break;
          got.push(
            `${text(m)}${m.fields.redelivered ? " redelivered" : ""} ${m.properties.headers?.i}`,
          );
        }
        // Priority 1 first, then 0, each in publish order; m5 was transient; m1 was acked.
        assertEquals(got, ["m3 redelivered 3", "m7 7", "m0 0", "m2 2", "m4 4", "m6 6"]);
        const tx = await c.channel();
        await tx.checkQueue("temp").catch(() => {});
        assertEquals((await channelClosed(tx))?.code, 404);
        await c.close();
      });
      await withBroker(dir, log, () => {
        assert(/^recovered 2 queues, 0 messages /.test(log[2]!), log.join("\n"));
        return Promise.resolve();
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "tx.commit-ok for a persistent message in a durable queue waits for the disk; a transient one does not",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "warren-tx-" });
    // A window that never ends while the test looks: nothing reaches the disk.
    const b = await startBroker({ port: 0, dataDir: dir, commitWindowMs: 3_600_000 });
    try {
      const c = await openClient(b.url, {});
      const ch = await c.channel();
      await ch.assertQueue("durable", { durable: true });
      await ch.assertQueue("transient", { durable: false });
      await rpc(ch, TX_SELECT, TX_SELECT_OK);
      ch.sendToQueue("transient", msg("t"), { persistent: true });
      await withTimeout(rpc(ch, TX_COMMIT, TX_COMMIT_OK), 5000, "a transient commit");
      ch.sendToQueue("durable", msg("d"), { persistent: true });
      let answered = false;
      rpc(ch, TX_COMMIT, TX_COMMIT_OK).then(() => answered = true, () => {});
      await sleep(500);
      assert(!answered, "tx.commit-ok came before the message was on disk");
      await c.close();
    } finally {
      await b.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "a vhost deleted over the management API stays deleted after a restart",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "warren-vhost-" });
    const log: string[] = [];
    try {
      await withBroker(dir, log, async (b) => {
        const v = b.core.vhost("lab");
        v.declareExchange("lab-x", "fanout", { durable: true });
        v.declareQueue("lab-q", { durable: true }, undefined);
        v.bindQueue({ queue: "lab-q", exchange: "lab-x" }, undefined);
        const api = `http://127.0.0.1:${b.management!.port}/api/vhosts/lab`;
        const auth = { authorization: `Basic ${btoa("guest:guest")}` };
        const res = await fetch(api, { method: "DELETE", headers: auth });
        await res.body?.cancel();
        assertEquals(res.status, 204);
      });
      await withBroker(dir, log, (b) => {
        assertEquals([...b.core.vhosts.keys()], ["/"]);
        return Promise.resolve();
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
