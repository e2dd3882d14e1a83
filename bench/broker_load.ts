/**
 * The broker bench's load, driven by amqplib over TCP against any broker URL
 * (the embedded one or RabbitMQ): N publishers, each on its own connection
 * with publisher confirms and a window of unconfirmed messages, to N queues,
 * each read by one consumer on its own connection with a prefetch and one
 * basic.ack per message. Without consumers it measures how fast publishes
 * are confirmed. Every run declares fresh queues and deletes them after.
 */
import { Buffer } from "node:buffer";
// @ts-types="@types/amqplib"
import amqp from "amqplib";
import type { ChannelModel, ConfirmChannel } from "amqplib";

export interface Load {
  /** Message body size in bytes. */
  bodyBytes: number;
  /** Publishers, queues and (when `consume`) consumers: publisher i -> queue i -> consumer i. */
  pairs: number;
  /** True: end-to-end (published, delivered, acked); false: publish-confirmed only. */
  consume: boolean;
  /** Durable queues and delivery_mode 2 (the persistent rows). */
  persistent?: boolean;
}

export interface LoadLimits {
  /** Publishing stops after this long (the run then waits for the consumers). */
  ms: number;
  /** Messages per publisher at most. */
  messages: number;
}

/** Unconfirmed publishes allowed in flight per publisher (a typical confirm window). */
const WINDOW = 500;
const PREFETCH = 200;

/** What one run moved: messages delivered and acked when `consume`, else confirmed. */
export interface LoadResult {
  messages: number;
  seconds: number;
}

/** Runs `load` (all pairs together), bounded by `limits.ms` of publishing. */
export async function runLoad(url: string, load: Load, limits: LoadLimits): Promise<LoadResult> {
  const conns: ChannelModel[] = [];
  const open = async () => {
    const c = await amqp.connect(url);
    conns.push(c);
    return c;
  };
  try {
    const tag = crypto.randomUUID();
    const queues = Array.from({ length: load.pairs }, (_, i) => `warren-bench-${tag}-${i}`);
    const pubs: ConfirmChannel[] = [];
    for (const queue of queues) {
      const ch = await (await open()).createConfirmChannel();
      await ch.assertQueue(queue, { durable: load.persistent === true, autoDelete: false });
      pubs.push(ch);
    }
    const body = Buffer.alloc(load.bodyBytes, 0x61);
    let target = Infinity;
    let counted = 0;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => finished = resolve);
    const count = () => {
      if (++counted >= target) finished();
    };
    if (load.consume) {
      for (const queue of queues) {
        const sub = await (await open()).createChannel();
        await sub.prefetch(PREFETCH);
        await sub.consume(queue, (m) => {
          if (!m) return;
          sub.ack(m);
          count();
        }, { noAck: false });
      }
    }
    const start = performance.now();
    const deadline = start + limits.ms;
    const published = await Promise.all(
      pubs.map((ch, i) =>
        publish(
          ch,
          queues[i]!,
          body,
          load,
          limits.messages,
          deadline,
          load.consume ? undefined : count,
        )
      ),
    );
    target = published.reduce((a, b) => a + b, 0);
    if (counted < target) await done;
    const seconds = (performance.now() - start) / 1000;
    for (const q of queues) await pubs[0]!.deleteQueue(q);
    return { messages: counted, seconds };
  } finally {
    for (const c of conns) await c.close().catch(() => {});
  }
}

/** Publishes within the confirm window until `deadline` or `max`; returns how many. */
async function publish(
  ch: ConfirmChannel,
  queue: string,
  body: Buffer,
  load: Load,
  max: number,
  deadline: number,
  onConfirm: (() => void) | undefined,
): Promise<number> {
  const options = load.persistent ? { persistent: true } : {};
  let inFlight = 0;
  let published = 0;
  let wake: (() => void) | undefined;
  const confirmed = () => {
    inFlight--;
    onConfirm?.();
    wake?.();
    wake = undefined;
  };
  while (published < max && performance.now() < deadline) {
    while (inFlight >= WINDOW) await new Promise<void>((r) => wake = r);
    inFlight++;
    published++;
    ch.publish("", queue, body, options, confirmed);
    // Let the socket drain now and then so the window is honest.
    if (published % 100 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  return published;
}
