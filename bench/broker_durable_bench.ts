/**
 * The persistent row of `deno task bench broker`: persistent messages
 * (delivery mode 2) into a durable queue, 64 B, publisher confirms (sent
 * only once the message is synced to disk) and consumer acks, with amqplib.
 * Two figures: publish-confirmed msg/s with no consumer (the queue fills),
 * and end-to-end msg/s with a consumer. The embedded broker runs with a
 * fresh temp data dir; RabbitMQ (RABBITMQ_URL) with its own disk, the same
 * guarantee: the ratio reads embedded / rabbitmq.
 */
import { Buffer } from "node:buffer";
// @ts-types="@types/amqplib"
import amqp from "amqplib";
import { startBroker } from "../src/broker/server.ts";
import type { BenchResult } from "./harness.ts";

const MESSAGES = 20_000;
const TIME_LIMIT_MS = 5_000;
const WINDOW = 500;
const PREFETCH = 200;

interface Rates {
  confirmed: number;
  e2e: number;
}

/** Publishes persistent messages with a confirm window until `count` or the time limit. */
async function publishConfirmed(ch: amqp.ConfirmChannel, queue: string): Promise<number> {
  const body = Buffer.alloc(64, 0x61);
  const deadline = performance.now() + TIME_LIMIT_MS;
  let published = 0, inFlight = 0;
  let wake: (() => void) | undefined;
  while (published < MESSAGES && performance.now() < deadline) {
    while (inFlight >= WINDOW) await new Promise<void>((r) => wake = r);
    inFlight++;
    published++;
    ch.publish("", queue, body, { persistent: true }, () => {
      inFlight--;
      wake?.();
      wake = undefined;
    });
    if (published % 100 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  await ch.waitForConfirms();
  return published;
}

export async function measurePersistent(url: string): Promise<Rates> {
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  try {
    const pub = await pubConn.createConfirmChannel();
    const sub = await subConn.createChannel();
    const queue = `warren-bench-durable-${crypto.randomUUID()}`;
    await pub.assertQueue(queue, { durable: true, autoDelete: false, exclusive: false });
    // Publish-confirmed, nobody consuming.
    let start = performance.now();
    const n = await publishConfirmed(pub, queue);
    const confirmed = n / ((performance.now() - start) / 1000);
    await pub.purgeQueue(queue);
    // End to end: a consumer acking as messages arrive.
    await sub.prefetch(PREFETCH);
    let received = 0, target = Infinity;
    let resolve: () => void = () => {};
    const done = new Promise<void>((r) => resolve = r);
    await sub.consume(queue, (m) => {
      if (!m) return;
      sub.ack(m);
      if (++received >= target) resolve();
    });
    start = performance.now();
    target = await publishConfirmed(pub, queue);
    if (received < target) await done;
    const e2e = received / ((performance.now() - start) / 1000);
    await pub.deleteQueue(queue);
    return { confirmed, e2e };
  } finally {
    await pubConn.close().catch(() => {});
    await subConn.close().catch(() => {});
  }
}

/** The persistent figures, embedded (temp data dir) against RABBITMQ_URL when set. */
export async function runPersistentBench(report: (result: BenchResult) => void): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "warren-bench-" });
  let embedded: Rates;
  try {
    const broker = await startBroker({ port: 0, dataDir });
    try {
      embedded = await measurePersistent(broker.url);
    } finally {
      await broker.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
  const rabbit = Deno.env.get("RABBITMQ_URL");
  const ref = rabbit ? await measurePersistent(rabbit) : undefined;
  const goal = ">= 1.0x RabbitMQ, confirms after sync";
  for (const key of ["confirmed", "e2e"] as const) {
    report({
      name: key === "confirmed"
        ? "persistent durable 64 B publish-confirmed"
        : "persistent durable 64 B e2e confirms+acks",
      value: Math.round(embedded[key]),
      unit: "msg/s",
      ...(ref ? { ref: Math.round(ref[key]) } : {}),
      goal,
    });
  }
}
