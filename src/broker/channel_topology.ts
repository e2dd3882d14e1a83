/**
 * The exchange.* and queue.* methods of a channel: changes to the vhost's
 * topology, translated from method arguments into vhost calls, each after
 * the permission check RabbitMQ makes for it (configure to declare or
 * delete, write on the destination and read on the source of a binding, read
 * to consume, get or purge, write to publish), in RabbitMQ's order so the
 * same mistake gets the same error. (LavinMQ does these in its client, not
 * its channel: they touch none of the channel's message flow.) The one piece
 * of channel state they need is the queue the channel declared last, because
 * RabbitMQ lets "" name it.
 */
import type { MethodArgs, MethodArgsInput } from "../amqp/mod.ts";
import type { AccessControl } from "./access_control.ts";
import { notFound } from "./errors.ts";
import type { Exchange } from "./exchange.ts";
import { isExchangeType } from "./exchange_types.ts";
import type { Vhost } from "./vhost.ts";
import { randomName } from "./vhost_types.ts";

/** What topology methods need from the connection. */
export interface TopologyHost {
  readonly vhost: Vhost;
  /** Identity owning exclusive queues (the connection). */
  readonly owner: object;
  /** The user's permissions on the vhost. */
  readonly access: AccessControl;
}

/** Names RabbitMQ refuses before any permission check (`amq.*`, the default exchange). */
const reserved = (name: string) => name === "" || name.startsWith("amq.");

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

  /** The queue's name ("" resolved) once the user may read from it (consume, get, purge). */
  readableQueue(name: string): string {
    const queue = this.queueName(name);
    this.host.access.check("read", "queue", queue);
    return queue;
  }

  /** The exchange a publish goes to, once the user may write to it (404 / 403 before content). */
  publishTarget(exchange: string): Exchange {
    this.host.access.check("write", "exchange", exchange);
    return this.host.vhost.publishTarget(exchange);
  }

  declareExchange(a: MethodArgs["exchange.declare"]): void {
    const { access, vhost } = this.host;
    if (!a.passive && a.exchange !== "" && isExchangeType(a.type)) {
      access.check("configure", "exchange", a.exchange);
      const ae = a.arguments["alternate-exchange"];
      if (typeof ae === "string" && !vhost.exchanges.has(a.exchange)) {
        access.check("read", "exchange", a.exchange);
        access.check("write", "exchange", ae);
      }
    }
    vhost.declareExchange(a.exchange, a.type, {
      passive: a.passive,
      durable: a.durable,
      autoDelete: a.autoDelete,
      internal: a.internal,
      arguments: a.arguments,
    });
  }

  deleteExchange(a: MethodArgs["exchange.delete"]): void {
    if (!reserved(a.exchange)) this.host.access.check("configure", "exchange", a.exchange);
    this.host.vhost.deleteExchange(a.exchange, { ifUnused: a.ifUnused });
  }

  #checkBinding(kind: "queue" | "exchange", destination: string, source: string): void {
    this.host.access.check("write", kind, destination);
    // The default exchange is refused by the vhost, before the read check.
    if (source !== "" && destination !== "") this.host.access.check("read", "exchange", source);
  }

  bindExchange(a: MethodArgs["exchange.bind"]): void {
    this.#checkBinding("exchange", a.destination, a.source);
    this.host.vhost.bindExchange({
      destination: a.destination,
      source: a.source,
      routingKey: a.routingKey,
      arguments: a.arguments,
    });
  }

  unbindExchange(a: MethodArgs["exchange.unbind"]): void {
    this.#checkBinding("exchange", a.destination, a.source);
    this.host.vhost.unbindExchange({
      destination: a.destination,
      source: a.source,
      routingKey: a.routingKey,
      arguments: a.arguments,
    });
  }

  /** Declares (or with passive, checks) a queue; returns the declare-ok arguments. */
  declareQueue(a: MethodArgs["queue.declare"]): MethodArgsInput<"queue.declare-ok"> {
    const { access, vhost } = this.host;
    let name = a.queue;
    if (!a.passive) {
      // Server-named queues are named first: the check is on the name given.
      if (name === "") {
        do name = randomName("amq.gen-"); while (vhost.queues.has(name));
      }
      if (!reserved(name) || name.startsWith("amq.gen-")) {
        access.check("configure", "queue", name);
        const dlx = a.arguments["x-dead-letter-exchange"];
        if (typeof dlx === "string" && !vhost.queues.has(name)) {
          access.check("read", "queue", name);
          access.check("write", "exchange", dlx);
        }
      }
    }
    const ok = vhost.declareQueue(
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
    const queue = this.queueName(a.queue);
    this.#checkBinding("queue", queue, a.exchange);
    this.host.vhost.bindQueue({
      queue,
      exchange: a.exchange,
      routingKey: a.routingKey,
      arguments: a.arguments,
    }, this.host.owner);
  }

  unbindQueue(a: MethodArgs["queue.unbind"]): void {
    const queue = this.queueName(a.queue);
    this.#checkBinding("queue", queue, a.exchange);
    this.host.vhost.unbindQueue({
      queue,
      exchange: a.exchange,
      routingKey: a.routingKey,
      arguments: a.arguments,
    }, this.host.owner);
  }

  /** Returns how many messages were purged. */
  purgeQueue(a: MethodArgs["queue.purge"]): number {
    return this.host.vhost.purgeQueue(this.readableQueue(a.queue), this.host.owner);
  }

  /** Returns how many messages the queue held. */
  deleteQueue(a: MethodArgs["queue.delete"]): number {
    const queue = this.queueName(a.queue);
    this.host.access.check("configure", "queue", queue);
    return this.host.vhost.deleteQueue(queue, {
      ifUnused: a.ifUnused,
      ifEmpty: a.ifEmpty,
    }, this.host.owner);
  }
}
