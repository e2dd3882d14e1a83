/**
 * End-to-end broker throughput: 1 publisher -> 1 queue -> 1 consumer, 64-byte
 * messages, publisher confirms and consumer acks, both driven by amqplib over
 * TCP. Runs against the embedded broker (started in-process on port 0) and,
 * when RABBITMQ_URL is set, against RabbitMQ in the same run, which is the
 * reference: the ratio reads embedded / rabbitmq.
 */
import { Buffer } from "node:buffer";
// @ts-types="@types/amqplib"
import amqp from "amqplib";
import { startBroker } from "../src/broker/server.ts";
import type { BenchResult, BenchSuite } from "./harness.ts";
import { runPersistentBench } from "./broker_durable_bench.ts";

const MESSAGES = 20_000;
const TIME_LIMIT_MS = 5_000;
/** Unconfirmed publishes allowed in flight (a typical confirm window). */
const WINDOW = 500;
const PREFETCH = 200;

/** Messages per second through one queue with confirms and acks (bounded by count and time). */
export async function measureThroughput(url: string): Promise<number> {
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  try {
    const pub = await pubConn.createConfirmChannel();
    const sub = await subConn.createChannel();
    const queue = `warren-bench-${crypto.randomUUID()}`;
    await pub.assertQueue(queue, { exclusive: false, autoDelete: false, durable: false });
    await sub.prefetch(PREFETCH);
    const body = Buffer.alloc(64, 0x61);
    const start = performance.now();
    const deadline = start + TIME_LIMIT_MS;
    let received = 0;
    let published = 0;
    let target = MESSAGES;
    const done = new Promise<void>((resolve) => {
      sub.consume(queue, (m) => {
        if (!m) return;
        sub.ack(m);
        if (++received >= target) resolve();
      }, { noAck: false });
    });
    let inFlight = 0;
    let wake: (() => void) | undefined;
    while (published < MESSAGES && performance.now() < deadline) {
      while (inFlight >= WINDOW) await new Promise<void>((r) => wake = r);
      inFlight++;
      published++;
      pub.publish("", queue, body, {}, () => {
        inFlight--;
        wake?.();
        wake = undefined;
      });
      // Let the socket drain now and then so the window is honest.
      if (published % 100 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    target = published;
    if (received < target) await done;
    const seconds = (performance.now() - start) / 1000;
    await pub.deleteQueue(queue);
    return received / seconds;
  } finally {
    await pubConn.close().catch(() => {});
    await subConn.close().catch(() => {});
  }
}

export const brokerBench: BenchSuite = {
  name: "broker",
  description: "end-to-end msg/s, 1 publisher -> 1 queue -> 1 consumer, 64 B, confirms + acks",
  async run(report: (result: BenchResult) => void): Promise<void> {
    const broker = await startBroker({ port: 0 });
    let embedded: number;
    try {
      embedded = await measureThroughput(broker.url);
    } finally {
      await broker.close();
    }
    const rabbit = Deno.env.get("RABBITMQ_URL");
    const ref = rabbit ? await measureThroughput(rabbit) : undefined;
    report({
      name: "broker e2e 64 B confirms+acks",
      value: Math.round(embedded),
      unit: "msg/s",
      ...(ref !== undefined ? { ref: Math.round(ref) } : {}),
      goal: "ratio vs RabbitMQ (speed goal: next issue)",
    });
    await runPersistentBench(report);
  },
};
