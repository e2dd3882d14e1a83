/**
 * The broker killed with SIGKILL mid-stream, again and again, on one data
 * dir: several amqplib publishers send persistent messages with confirms to
 * durable queues (some transient messages mixed in, and a transient queue
 * and exchange beside them); at a random point the broker process is
 * killed; it restarts on the same dir, and then:
 * - every confirmed message is there exactly once, in order per queue;
 * - nothing else is (no transient message, nothing acked before: each
 *   cycle drains the queues, acks, and waits for a confirm after the acks);
 * - the durable exchange, queues and bindings are back, the transient ones
 *   are not.
 * 3 kills in the default run; 20 in the slow tier:
 * WARREN_SLOW_TESTS=1 deno test -A tests/broker/store/kill_test.ts
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type BrokerProcess, spawnBroker } from "../support/broker_process.ts";
import { channelClosed, type Client, openClient } from "../support/amqplib.ts";
import { msg, text } from "../support/messages.ts";
import { sleep, waitFor } from "../support/timing.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SLOW = Deno.env.get("WARREN_SLOW_TESTS") === "1";
const CYCLES = SLOW ? 20 : 3;
const QUEUES = ["dq0", "dq1", "dq2"];
/** Every n-th message is transient: it must not survive. */
const TRANSIENT_EVERY = 7;
const WINDOW = 100;

interface Tally {
  /** Persistent messages sent, by number. */
  sent: Set<number>;
  /** Persistent messages confirmed (basic.ack), by number. */
  confirmed: Set<number>;
}

/** One publisher per queue, until the broker dies: numbers in order, confirms tallied. */
function publish(c: Client, queue: string, cycle: number, tally: Tally): Promise<void> {
  return (async () => {
    const ch = await c.confirmChannel();
    let inFlight = 0;
    let wake: (() => void) | undefined;
    let dead = false;
    c.closed.then(() => {
      dead = true;
      wake?.();
    });
    for (let n = 0; !dead; n++) {
      while (inFlight >= WINDOW && !dead) await new Promise<void>((r) => wake = r);
      if (dead) break;
      const persistent = n % TRANSIENT_EVERY !== TRANSIENT_EVERY - 1;
      if (persistent) tally.sent.add(n);
      inFlight++;
      try {
        ch.publish("durable-x", queue, msg(`${cycle}:${n}`), { persistent }, (err) => {
          inFlight--;
          if (!err && persistent) tally.confirmed.add(n);
          wake?.();
          wake = undefined;
        });
      } catch {
        break; // the channel is gone with the broker
      }
      if (n % 50 === 0) await sleep(0);
    }
  })().catch(() => {});
}

/** Waits for a confirm after everything sent before on `c`: all of it is on disk. */
async function syncPoint(c: Client): Promise<void> {
  const ch = await c.confirmChannel();
  ch.sendToQueue("sync-point", msg("sync"), { persistent: true });
  await ch.waitForConfirms();
  await ch.purgeQueue("sync-point");
  await ch.close();
}

async function expectMissing(c: Client, kind: "queue" | "exchange", name: string) {
  const ch = await c.channel();
  const check = kind === "queue" ? ch.checkQueue(name) : ch.checkExchange(name);
  await check.catch(() => {});
  assertEquals((await channelClosed(ch))?.code, 404, `${kind} ${name} should be gone`);
}

async function kill(broker: BrokerProcess): Promise<void> {
  Deno.kill(broker.pid, "SIGKILL");
  await waitFor(() => !broker.alive, "the killed broker to exit", 10_000);
}

/** Drains one queue after a restart and checks it against what was sent and confirmed. */
async function checkQueue(c: Client, queue: string, cycle: number, tally: Tally, what: string) {
  const ch = await c.channel();
  const got: number[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: false });
    if (!m) break;
    const [c0, n] = text(m).split(":").map(Number);
    assertEquals(c0, cycle, `${what}: ${queue} holds ${text(m)}, from another cycle`);
    got.push(n!);
  }
  ch.ackAll();
  for (let i = 1; i < got.length; i++) {
    assert(
      got[i - 1]! < got[i]!,
      `${what}: ${queue} out of order or twice: ${got[i - 1]}, ${got[i]}`,
    );
  }
  for (const n of got) {
    assert(tally.sent.has(n), `${what}: ${queue} holds ${n}, never sent persistent`);
  }
  const have = new Set(got);
  const lost = [...tally.confirmed].filter((n) => !have.has(n));
  assertEquals(lost, [], `${what}: ${queue} lost confirmed messages`);
  await ch.close();
  return got.length;
}

Deno.test(
  `SIGKILL mid-stream, ${CYCLES} times: every confirmed message survives exactly once, in order`,
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "warren-kill-" });
    let broker: BrokerProcess | undefined;
    try {
      let tallies: Tally[] = [];
      for (let cycle = 0; cycle <= CYCLES; cycle++) {
        broker = await spawnBroker(["--data-dir", dir]);
        const what = `start ${cycle}`;
        const admin = await openClient(broker.url, {});
        if (cycle === 0) {
          const ch = await admin.channel();
          await ch.assertExchange("durable-x", "direct", { durable: true });
          await ch.assertExchange("transient-x", "fanout", { durable: false });
          await ch.assertQueue("sync-point", { durable: true });
          await ch.assertQueue("transient-q", { durable: false });
          await ch.bindQueue("transient-q", "durable-x", QUEUES[0]!);
          await ch.bindExchange("transient-x", "durable-x", QUEUES[1]!);
          for (const q of QUEUES) {
            await ch.assertQueue(q, { durable: true });
            await ch.bindQueue(q, "durable-x", q);
          }
          await ch.close();
        } else {
          assert(/recovered 4 queues, \d+ messages in/.test(broker.stderr), broker.stderr);
          await expectMissing(admin, "queue", "transient-q");
          await expectMissing(admin, "exchange", "transient-x");
          const ch = await admin.channel();
          await ch.checkExchange("durable-x");
          for (const [i, q] of QUEUES.entries()) {
            await checkQueue(admin, q, cycle - 1, tallies[i]!, what);
          }
          await ch.close();
        }
        await syncPoint(admin); // the drain's acks (and cycle 0's topology) are on disk
        await admin.close();
        if (cycle === CYCLES) break;
        tallies = QUEUES.map(() => ({ sent: new Set<number>(), confirmed: new Set<number>() }));
        const clients = await Promise.all(QUEUES.map(() => openClient(broker!.url, {})));
        const publishing = QUEUES.map((q, i) => publish(clients[i]!, q, cycle, tallies[i]!));
        const confirmed = () => tallies.reduce((n, t) => n + t.confirmed.size, 0);
        await waitFor(() => confirmed() >= 30, "some confirms before the kill", 15_000);
        await sleep(Math.random() * 300);
        await kill(broker);
        await Promise.all(publishing);
        await Promise.all(clients.map((c) => c.closed));
        assert(confirmed() >= 30);
      }
    } finally {
      if (broker?.alive) await broker.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
