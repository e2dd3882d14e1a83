/**
 * The subscriber actor (the lesson's receive_logs*.py): its own exclusive,
 * server-named queue bound to an exchange with each binding key (one empty
 * key for a fanout), consumed without acks. The queue goes with the
 * connection; a new connection declares a new one and binds it again.
 */
import { wait } from "../effects.ts";
import { Actor, type ActorEnv, type Gen } from "./actor.ts";
import { shortBody } from "./actor_log.ts";
import type { ChannelModel, ConsumeMessage } from "./amqp.ts";
import type { Topology } from "./topology.ts";

export class Subscriber extends Actor {
  readonly kind = "subscriber" as const;
  readonly exchange: string;
  readonly keys: readonly string[];
  #queue = "";

  constructor(
    name: string,
    env: ActorEnv,
    exchange: string,
    keys: readonly string[],
    topology?: Topology,
  ) {
    super(name, env, topology);
    this.exchange = exchange;
    this.keys = keys.length === 0 ? [""] : keys;
  }

  summary(): string {
    const keys = this.keys.length === 1 && this.keys[0] === "" ? "" : ` ${this.keys.join(" ")}`;
    return `${this.exchange} <-${keys}${this.#queue === "" ? "" : ` (${this.#queue})`}`;
  }

  protected *session(conn: ChannelModel): Gen {
    const ch = yield* this.channel(conn);
    if (!this.topology.exchanges.some((x) => x.name === this.exchange)) {
      yield wait(ch.checkExchange(this.exchange), `check ${this.exchange}`);
    }
    const q = (yield wait(ch.assertQueue("", { exclusive: true }), "declare queue")) as {
      queue: string;
    };
    this.#queue = q.queue;
    for (const key of this.keys) {
      yield wait(ch.bindQueue(q.queue, this.exchange, key), `bind ${key}`);
    }
    const deliver = this.deliverer();
    yield wait(ch.consume(q.queue, (m) => m && deliver(m), { noAck: true }), "consume");
    this.running();
    for (;;) {
      const m = (yield* this.next()) as ConsumeMessage;
      this.counts.received++;
      this.log(`${deliveryText(m, this.counts.received)} no-ack`);
    }
  }
}

/** `#3 kern.critical redelivered=false "disk full"`: one delivery for the log. */
export function deliveryText(m: ConsumeMessage, n: number): string {
  return `#${n} ${m.fields.routingKey || '""'} redelivered=${m.fields.redelivered} ${
    shortBody(m.content.toString())
  }`;
}
