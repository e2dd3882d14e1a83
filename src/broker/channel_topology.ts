/**
 * The exchange.* and queue.* methods of a channel: changes to the vhost's
 * topology, translated from method arguments into vhost calls. (LavinMQ does
 * these in its client, not its channel: they touch none of the channel's
 * message flow.) The one piece of channel state they need is the queue the
 * channel declared last, because RabbitMQ lets "" name it.
 */
import type { MethodArgs, MethodArgsInput } from "../amqp/mod.ts";
import { notFound } from "./errors.ts";
import type { Vhost } from "./vhost.ts";

/** What topology methods need from the connection. */
export interface TopologyHost {
  readonly vhost: Vhost;
  /** Identity owning exclusive queues (the connection). */
  readonly owner: object;
}

export class ChannelTopology {
  #lastQueue = "";

  constructor(readonly host: TopologyHost) {}

  /** RabbitMQ lets "" mean the queue this channel declared last. */
  queueName(name: string): string {
    if (name !== "") return name;
    if (this.#lastQueue === "") {
      throw notFound("queue", "", this.host.vhost.name);
    }
    return this.#lastQueue;
  }

  declareExchange(a: MethodArgs["exchange.declare"]): void {
    this.host.vhost.declareExchange(a.exchange, a.type, {
      passive: a.passive,
      durable: a.durable,
      autoDelete: a.autoDelete,
      internal: a.internal,
      arguments: a.arguments,
    });
  }

  deleteExchange(a: MethodArgs["exchange.delete"]): void {
    this.host.vhost.deleteExchange(a.exchange, { ifUnused: a.ifUnused });
  }

  bindExchange(a: MethodArgs["exchange.bind"]): void {
    this.host.vhost.bindExchange({
      destination: a.destination,
      source: a.source,
      routingKey: a.routingKey,
      arguments: a.arguments,
    });
  }

  unbindExchange(a: MethodArgs["exchange.unbind"]): void {
    this.host.vhost.unbindExchange({
      destination: a.destination,
      source: a.source,
      routingKey: a.routingKey,
      arguments: a.arguments,
    });
  }

  /** Declares (or with passive, checks) a queue; returns the declare-ok arguments. */
  declareQueue(a: MethodArgs["queue.declare"]): MethodArgsInput<"queue.declare-ok"> {
    const name = a.queue;
    const ok = this.host.vhost.declareQueue(
      name === "" && a.passive ? this.queueName(name) : name,
      {
        passive: a.passive,
        durable: a.durable,
        exclusive: a.exclusive,
        autoDelete: a.autoDelete,
        arguments: a.arguments,
      },
      this.host.owner,
    );
    this.#lastQueue = ok.queue.name;
    return {
      queue: ok.queue.name,
      messageCount: ok.messageCount,
      consumerCount: ok.consumerCount,
    };
  }

  bindQueue(a: MethodArgs["queue.bind"]): void {
    this.host.vhost.bindQueue({
      queue: this.queueName(a.queue),
      exchange: a.exchange,
      routingKey: a.routingKey,
      arguments: a.arguments,
    }, this.host.owner);
  }

  unbindQueue(a: MethodArgs["queue.unbind"]): void {
    this.host.vhost.unbindQueue({
      queue: this.queueName(a.queue),
      exchange: a.exchange,
      routingKey: a.routingKey,
      arguments: a.arguments,
    }, this.host.owner);
  }

  /** Returns how many messages were purged. */
  purgeQueue(a: MethodArgs["queue.purge"]): number {
    return this.host.vhost.purgeQueue(this.queueName(a.queue), this.host.owner);
  }

  /** Returns how many messages the queue held. */
  deleteQueue(a: MethodArgs["queue.delete"]): number {
    return this.host.vhost.deleteQueue(this.queueName(a.queue), {
      ifUnused: a.ifUnused,
      ifEmpty: a.ifEmpty,
    }, this.host.owner);
  }
}
