/**
 * What an actor declares each time it connects (exchanges, queues), so that
 * after a broker restart it finds its topology again, as the lesson's
 * programs declare theirs on every start. Also the exchanges this lab has
 * declared, so an actor started by hand on one of them (`:subscribe
 * topic_logs lazy.#`) can re-declare it too: AMQP cannot tell a client an
 * exchange's type.
 */
import type { Channel } from "./amqp.ts";
import { type Effect, wait } from "../effects.ts";

export type ExchangeType = "direct" | "fanout" | "topic" | "headers";

export interface ExchangeSpec {
  name: string;
  type: ExchangeType;
  durable: boolean;
}

export interface QueueSpec {
  name: string;
  durable: boolean;
}

export interface Topology {
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
}

export const NO_TOPOLOGY: Topology = { exchanges: [], queues: [] };

type Gen = Generator<Effect | undefined, void, unknown>;

/** Declares (asserts) every exchange and queue of `topology` on `ch`. */
export function* declareTopology(ch: Channel, topology: Topology): Gen {
  for (const x of topology.exchanges) {
    yield wait(ch.assertExchange(x.name, x.type, { durable: x.durable }), `declare ${x.name}`);
  }
  for (const q of topology.queues) {
    yield wait(ch.assertQueue(q.name, { durable: q.durable }), `declare ${q.name}`);
  }
}

/** The exchanges declared in this lab, by name: what an actor re-declares after a restart. */
export class ExchangeBook {
  #known = new Map<string, ExchangeSpec>();

  remember(topology: Topology): void {
    for (const x of topology.exchanges) this.#known.set(x.name, x);
  }

  /** The topology to declare for an actor on `exchange`, if the lab knows its type. */
  topologyFor(exchange: string): Topology {
    const spec = this.#known.get(exchange);
    return spec === undefined ? NO_TOPOLOGY : { exchanges: [spec], queues: [] };
  }
}
