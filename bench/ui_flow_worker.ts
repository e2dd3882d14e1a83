/**
 * The UI bench's message flow, on a Worker of its own so that it never
 * delays the bench's own reading of the screen: one amqplib publisher paced
 * by schedule at the rate asked for (in 5 ms batches, waiting for `drain`
 * when the socket is full) and one consumer (no-ack) on the same queue.
 * Posts its counts every 500 ms and once more when told to stop.
 */
/// <reference lib="deno.worker" />
import { Buffer } from "node:buffer";
import amqp from "amqplib";

export interface FlowRequest {
  url: string;
  queue: string;
  ratePerS: number;
}

export interface FlowCounts {
  published: number;
  consumed: number;
  elapsedMs: number;
  done: boolean;
  error?: string;
}

const BATCH_MS = 5;

self.onmessage = async (e: MessageEvent<FlowRequest | "stop">) => {
  if (e.data === "stop") {
    stopping = true;
    return;
  }
  try {
    await flow(e.data);
  } catch (err) {
    self.postMessage({ published, consumed, elapsedMs: 0, done: true, error: String(err) });
  }
};

let stopping = false;
let published = 0;
let consumed = 0;

async function flow({ url, queue, ratePerS }: FlowRequest): Promise<void> {
  const pubConn = await amqp.connect(url);
  const subConn = await amqp.connect(url);
  const pub = await pubConn.createChannel();
  const sub = await subConn.createChannel();
  await sub.assertQueue(queue, { durable: false, autoDelete: true });
  await sub.consume(queue, () => consumed++, { noAck: true });
  const body = Buffer.alloc(64, "x");
  const start = performance.now();
  const report = setInterval(() => {
    self.postMessage({ published, consumed, elapsedMs: performance.now() - start, done: false });
  }, 500);
  while (!stopping) {
    const due = Math.floor(((performance.now() - start) * ratePerS) / 1000);
    let full = false;
    while (published < due && !full) {
      full = !pub.sendToQueue(queue, body);
      published++;
    }
    if (full) await new Promise((resolve) => pub.once("drain", resolve));
    else await new Promise((resolve) => setTimeout(resolve, BATCH_MS));
  }
  const elapsedMs = performance.now() - start;
  clearInterval(report);
  // What was sent arrives before the consumer's connection closes.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await pubConn.close().catch(() => {});
  await subConn.close().catch(() => {});
  self.postMessage({ published, consumed, elapsedMs, done: true } satisfies FlowCounts);
}
