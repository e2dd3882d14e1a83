/**
 * The worker actor (the lesson's worker.py, and receive.py with no-ack): a
 * queue (declared durable when it does not exist, as worker.py does), a
 * prefetch (0: unlimited), manual ack or no-ack, and one second of simulated
 * work per `.` in the body, times the work scale: a hub sleep, so the task
 * shows as waiting(sleep) while it "works". A stop or a lost connection
 * during the work leaves the message unacked: the broker gives it to
 * another consumer, marked redelivered.
 */
import { wait } from "../effects.ts";
import { Actor, type ActorEnv, type Gen } from "./actor.ts";
import type { Channel, ChannelModel, ConsumeMessage } from "./amqp.ts";
import { deliveryText } from "./subscriber.ts";
import type { Topology } from "./topology.ts";

export interface WorkerConfig {
  queue: string;
  /** basic.qos prefetch count; 0 or absent: unlimited. */
  prefetch?: number;
  noAck?: boolean;
  /** This worker's own factor on top of the work scale (a slow worker: 3). */
  slowness?: number;
}

export class QueueWorker extends Actor {
  readonly kind = "worker" as const;
  readonly config: WorkerConfig;

  constructor(name: string, env: ActorEnv, config: WorkerConfig, topology?: Topology) {
    super(name, env, topology);
    this.config = config;
  }

  summary(): string {
    const c = this.config;
    const prefetch = (c.prefetch ?? 0) > 0 ? `prefetch ${c.prefetch}` : "no prefetch";
    const slow = (c.slowness ?? 1) !== 1 ? `, slow: work x${c.slowness}` : "";
    return `${c.queue} ${prefetch} ${c.noAck ? "no-ack" : "ack"}${slow}`;
  }

  protected *session(conn: ChannelModel): Gen {
    const c = this.config;
    const ch = yield* this.channel(conn);
    if (!this.topology.queues.some((q) => q.name === c.queue)) {
      yield* this.#declareIfMissing(conn, ch);
    }
    if ((c.prefetch ?? 0) > 0) yield wait(ch.prefetch(c.prefetch!), "qos");
    const deliver = this.deliverer();
    const noAck = c.noAck === true;
    yield wait(ch.consume(c.queue, (m) => m && deliver(m), { noAck }), "consume");
    this.running();
    for (;;) {
      const m = (yield* this.next()) as ConsumeMessage;
      this.counts.received++;
      const n = this.counts.received;
      const dots = m.content.toString().split(".").length - 1;
      const ms = dots * 1000 * this.env.workScale() * (c.slowness ?? 1);
      this.log(`${deliveryText(m, n)} working ${(ms / 1000).toFixed(1)} s`);
      yield* this.pause(ms);
      if (noAck) {
        this.log(`#${n} done (no-ack)`);
        continue;
      }
      ch.ack(m);
      this.counts.acked++;
      this.log(`#${n} done, ack`);
    }
  }

  /** The queue as it is, else declared durable (on `ch`; the probe gets a channel of its own). */
  *#declareIfMissing(conn: ChannelModel, ch: Channel): Gen {
    const queue = this.config.queue;
    const probe = (yield wait(conn.createChannel(), "open channel")) as Channel;
    probe.on("error", () => {});
    try {
      yield wait(probe.checkQueue(queue), `check ${queue}`);
      yield wait(probe.close(), "close probe");
    } catch {
      // 404: the broker closed the probe channel; declare the queue as worker.py does
      yield wait(ch.assertQueue(queue, { durable: true }), `declare ${queue}`);
    }
  }
}
