/**
 * One AMQP channel: its life cycle (open -> closing -> closed) and the
 * dispatch of its frames and methods. The parts with state of their own live
 * beside it, in LavinMQ's shape: the publish state machine
 * (publish_assembler.ts), the unacknowledged deliveries (unacked_store.ts),
 * publisher confirms (publisher_confirms.ts), transactions
 * (channel_transaction.ts), consumers (channel_consumer.ts) and the
 * exchange/queue methods (channel_topology.ts).
 *
 * When the channel closes, its unacknowledged deliveries go back to their
 * queues, in order and marked redelivered.
 */
import type { Frame, Method, MethodArgs, MethodArgsInput, MethodName } from "../amqp/mod.ts";
import { encodeMethodFrame } from "../amqp/mod.ts";
import { ChannelConsumer, type ConsumerChannel } from "./channel_consumer.ts";
import { ChannelTopology, type TopologyHost } from "./channel_topology.ts";
import { ChannelTransaction, settledIn } from "./channel_transaction.ts";
import {
  AmqpError,
  channelError,
  notAllowed,
  notImplemented,
  preconditionFailed,
  ReplyCode,
  unexpectedFrame,
} from "./errors.ts";
import type { Message, QueuedMessage } from "./message.ts";
import { type Delivery, delivery, getOkFrames, noRouteReturnFrames } from "./message_frames.ts";
import { PublishAssembler, type PublishLimits } from "./publish_assembler.ts";
import { PublisherConfirms, whenKept } from "./publisher_confirms.ts";
import type { Queue } from "./queue.ts";
import { parseConsumerPriority } from "./queue_args.ts";
import {
  releasePrefetch,
  type SettleAction,
  settleInQueues,
  type Unacked,
  UnackedStore,
} from "./unacked_store.ts";
import { randomName } from "./vhost_types.ts";

/** What a channel needs from its connection. */
/** The publish limits are the connection's (message size, user, body memory and timeout). */
export interface ChannelHost extends PublishLimits, TopologyHost {
  readonly frameMax: number;
  readonly maxMessageSize: number;
  /** The authenticated user (a user-id property must match it). */
  readonly userName: string;
  /** The client asked for basic.cancel when a queue it consumes from is deleted. */
  readonly consumerCancelNotify: boolean;
  /** False while the socket is not draining: consumers must wait. */
  canWrite(): boolean;
  send(bytes: Uint8Array): void;
  /** A message's frames (basic.deliver), encoded straight into the output. */
  sendMessage(message: Delivery): void;
  /** The channel is fully closed and its number may be reused. */
  channelClosed(id: number): void;
}

export class Channel implements ConsumerChannel {
  #state: "open" | "closing" | "closed" = "open";
  #publishing: PublishAssembler;
  #consumers = new Map<string, ChannelConsumer>();
  #unacked = new UnackedStore();
  #deliveryTag = 0;
  #prefetch = 0;
  #globalPrefetch = 0;
  #topology: ChannelTopology;
  /** Set by confirm.select; a channel in confirm mode never leaves it. */
  #confirms: PublisherConfirms | undefined;
  /** Set by tx.select; each commit or rollback starts the next transaction. */
  #tx: ChannelTransaction | undefined;

  constructor(readonly id: number, readonly host: ChannelHost) {
    this.#publishing = new PublishAssembler(host);
    this.#topology = new ChannelTopology(host);
  }

  get state(): "open" | "closing" | "closed" {
    return this.#state;
  }

  get unackedCount(): number {
    return this.#unacked.size;
  }

  /** What the management API shows: prefetch, modes and consumers. */
  info() {
    const [confirm, transactional] = [this.#confirms !== undefined, this.#tx !== undefined];
    const [prefetch, global, consumers] = [this.#prefetch, this.#globalPrefetch, this.#consumers];
    return { prefetch, global, confirm, transactional, consumers: consumers.values() };
  }

  /** Handles one frame for this channel. Connection-scoped AmqpErrors propagate. */
  handle(frame: Frame): void {
    if (this.#state === "closing") {
      // After we sent channel.close only close/close-ok matter (spec 2.3.6.3).
      if (frame.type === "method") {
        if (frame.method.name === "channel.close-ok") this.#finish();
        else if (frame.method.name === "channel.close") {
          this.#send("channel.close-ok", {});
          this.#finish();
        }
      }
      return;
    }
    if (this.#state === "closed") return;
    try {
      this.#dispatch(frame);
    } catch (e) {
      if (e instanceof AmqpError && e.scope === "channel") this.closeWithError(e);
      else throw e;
    }
  }

  #dispatch(frame: Frame): void {
    switch (frame.type) {
      case "method":
        this.#publishing.method(); // 505 while a publish waits for its content
        return this.#method(frame.method);
      case "header":
      case "body": {
        const published = this.#publishing.content(frame);
        if (published) this.#published(published.message, published.mandatory);
        return;
      }
      case "heartbeat":
        throw unexpectedFrame(`heartbeat frame on channel ${this.id}`);
    }
  }

  #method(m: Method): void {
    try {
      switch (m.name) {
        case "channel.close":
          this.#teardown();
          this.#send("channel.close-ok", {});
          this.#finish();
          return;
        case "channel.close-ok":
          return;
        case "channel.flow":
          // RabbitMQ 3.x refuses client-initiated flow control (540, closing
          // the connection); only active=true is acknowledged.
          if (!m.args.active) throw notImplemented("active=false");
          this.#send("channel.flow-ok", { active: true });
          return;
        case "channel.flow-ok":
          return;
        case "channel.open":
          throw channelError("second 'channel.open' seen");
        case "access.request":
          this.#send("access.request-ok", { ticket: 1 });
          return;
        case "exchange.declare":
          this.#topology.declareExchange(m.args);
          return this.#reply(m.args, "exchange.declare-ok", {});
        case "exchange.delete":
          this.#topology.deleteExchange(m.args);
          return this.#reply(m.args, "exchange.delete-ok", {});
        case "exchange.bind":
          this.#topology.bindExchange(m.args);
          return this.#reply(m.args, "exchange.bind-ok", {});
        case "exchange.unbind":
          this.#topology.unbindExchange(m.args);
          return this.#reply(m.args, "exchange.unbind-ok", {});
        case "queue.declare":
          return this.#reply(m.args, "queue.declare-ok", this.#topology.declareQueue(m.args));
        case "queue.bind":
          this.#topology.bindQueue(m.args);
          return this.#reply(m.args, "queue.bind-ok", {});
        case "queue.unbind":
          this.#topology.unbindQueue(m.args);
          return this.#send("queue.unbind-ok", {});
        case "queue.purge":
          return this.#reply(m.args, "queue.purge-ok", {
            messageCount: this.#topology.purgeQueue(m.args),
          });
        case "queue.delete":
          return this.#reply(m.args, "queue.delete-ok", {
            messageCount: this.#topology.deleteQueue(m.args),
          });
        case "basic.qos":
          return this.#qos(m.args);
        case "basic.consume":
          return this.#consume(m.args);
        case "basic.cancel":
          return this.#cancel(m.args);
        case "basic.publish":
          return this.#publish(m.args);
        case "basic.get":
          return this.#get(m.args);
        case "basic.ack":
          return this.#settle(this.#collect(m.args.deliveryTag, m.args.multiple), "ack");
        case "basic.reject":
          return this.#settle(
            this.#collect(m.args.deliveryTag, false),
            m.args.requeue ? "requeue" : "drop",
          );
        case "basic.nack":
          return this.#settle(
            this.#collect(m.args.deliveryTag, m.args.multiple),
            m.args.requeue ? "requeue" : "drop",
          );
        case "basic.recover":
        case "basic.recover-async":
          if (!m.args.requeue) throw notImplemented("requeue=false");
          this.#settle(this.#unacked.all(), "requeue", true);
          if (m.name === "basic.recover") this.#send("basic.recover-ok", {});
          return;
        case "confirm.select":
          if (this.#tx) {
            throw preconditionFailed("cannot switch from tx to confirm mode");
          }
          this.#confirms ??= new PublisherConfirms({
            isOpen: () => this.#state === "open",
            send: (method, args) => this.#send(method, args),
          }, this.host.vhost.journal);
          if (!m.args.nowait) this.#send("confirm.select-ok", {});
          return;
        case "tx.select":
          if (this.#confirms) {
            throw preconditionFailed("cannot switch from confirm to tx mode");
          }
          this.#tx ??= new ChannelTransaction();
          this.#send("tx.select-ok", {});
          return;
        case "tx.commit":
          return this.#commit();
        case "tx.rollback":
          return this.#rollback();
        default:
          throw new AmqpError(
            ReplyCode.COMMAND_INVALID,
            `method ${m.name} is not allowed on a channel from a client`,
          );
      }
    } catch (e) {
      if (e instanceof AmqpError && e.classId === 0) {
        e.classId = m.classId;
        e.methodId = m.methodId;
      }
      throw e;
    }
  }

  // --- consumers --------------------------------------------------------------

  #qos(a: MethodArgs["basic.qos"]): void {
    if (a.prefetchSize !== 0) {
      throw notImplemented(`prefetch_size!=0 (${a.prefetchSize})`);
    }
    const count = a.prefetchCount;
    if (a.global) this.#globalPrefetch = count;
    else this.#prefetch = count;
    this.#send("basic.qos-ok", {});
    this.#kickConsumers();
  }

  #consume(a: MethodArgs["basic.consume"]): void {
    const vhost = this.host.vhost;
    const queue = vhost.queue(this.#topology.readableQueue(a.queue), this.host.owner);
    let tag = a.consumerTag;
    if (tag === "") tag = randomName("amq.ctag-");
    if (this.#consumers.has(tag)) throw notAllowed(`attempt to reuse consumer tag '${tag}'`);
    const exclusive = a.exclusive;
    if (queue.consumers.some((c) => c.exclusive) || (exclusive && queue.consumerCount > 0)) {
      throw new AmqpError(
        ReplyCode.ACCESS_REFUSED,
        `queue '${queue.name}' in vhost '${vhost.name}' in exclusive use`,
      );
    }
    const consumer = new ChannelConsumer({
      channel: this,
      tag,
      queue,
      noAck: a.noAck,
      exclusive,
      prefetch: this.#prefetch,
      priority: parseConsumerPriority(queue.name, vhost.name, a.arguments),
    });
    this.#consumers.set(tag, consumer);
    // consume-ok goes out before the first delivery.
    if (!a.noWait) this.#send("basic.consume-ok", { consumerTag: tag });
    queue.addConsumer(consumer);
  }

  #cancel(a: MethodArgs["basic.cancel"]): void {
    const tag = a.consumerTag;
    const consumer = this.#consumers.get(tag);
    if (consumer) {
      this.#consumers.delete(tag);
      consumer.queue.removeConsumer(consumer);
    }
    if (!a.noWait) this.#send("basic.cancel-ok", { consumerTag: tag });
  }

  /** The queue was deleted under a consumer: tell the client (consumer_cancel_notify). */
  consumerGone(consumer: ChannelConsumer): void {
    if (this.#consumers.get(consumer.tag) !== consumer) return;
    this.#consumers.delete(consumer.tag);
    if (this.#state === "open" && this.host.consumerCancelNotify) {
      this.#send("basic.cancel", { consumerTag: consumer.tag, noWait: true });
    }
  }

  canSend(): boolean {
    return this.#state === "open" && this.host.canWrite();
  }

  underGlobalPrefetch(): boolean {
    // Settled inside an open transaction still holds its slot until commit.
    const held = this.#unacked.size + (this.#tx?.settledCount ?? 0);
    return this.#globalPrefetch === 0 || held < this.#globalPrefetch;
  }

  deliver(consumer: ChannelConsumer, entry: QueuedMessage, queue: Queue): void {
    const tag = ++this.#deliveryTag;
    if (!consumer.noAck) {
      this.#unacked.add({ tag, queue, entry, consumer });
      consumer.unacked++;
    }
    this.host.sendMessage(delivery({
      channel: this.id,
      frameMax: this.host.frameMax,
      consumerTag: consumer.tag,
      deliveryTag: tag,
      entry,
    }));
  }

  #get(a: MethodArgs["basic.get"]): void {
    const queue = this.host.vhost.queue(this.#topology.readableQueue(a.queue), this.host.owner);
    const got = queue.get(a.noAck);
    if (!got) {
      this.#send("basic.get-empty", {});
      return;
    }
    const tag = ++this.#deliveryTag;
    if (!a.noAck) this.#unacked.add({ tag, queue, entry: got.entry, consumer: undefined });
    this.host.send(getOkFrames({
      channel: this.id,
      frameMax: this.host.frameMax,
      deliveryTag: tag,
      entry: got.entry,
      messageCount: got.remaining,
    }));
  }

  // --- acknowledgements -------------------------------------------------------

  /** `tag` is a longlong: one beyond 2^53 arrives as a bigint and matches no delivery. */
  #collect(wireTag: number | bigint, multiple: boolean): Unacked[] {
    return this.#unacked.collect(Number(wireTag), multiple);
  }

  #settle(items: Unacked[], action: SettleAction, immediate = false): void {
    this.#unacked.delete(items);
    if (this.#tx && !immediate) {
      this.#tx.settle(items, action);
      return;
    }
    releasePrefetch(items);
    this.#applySettle(items, action);
  }

  #applySettle(items: readonly Unacked[], action: SettleAction): void {
    settleInQueues(items, action);
    this.#kickConsumers();
  }

  /** The socket drained: this channel's consumers may receive again. */
  kick(): void {
    this.#kickConsumers();
  }

  #kickConsumers(): void {
    for (const c of this.#consumers.values()) c.queue.kick();
  }

  // --- publishing -------------------------------------------------------------

  #publish(a: MethodArgs["basic.publish"]): void {
    if (a.immediate) throw notImplemented("immediate=true");
    this.#topology.publishTarget(a.exchange); // 403 / 404 before the content arrives
    this.#publishing.start(a.exchange, a.routingKey, a.mandatory);
  }

  /** A whole message came in: route it now, or log it for the transaction's commit. */
  #published(message: Message, mandatory: boolean): void {
    if (this.#tx) {
      this.#tx.publish(message, mandatory);
      return;
    }
    const seq = this.#confirms?.nextSeq() ?? 0;
    const ok = this.#route(message, mandatory);
    if (seq > 0) this.#confirms!.confirm(seq, ok);
  }

  /** Routes and enqueues; returns false when a queue refused it (reject-publish). */
  #route(message: Message, mandatory: boolean): boolean {
    const vhost = this.host.vhost;
    const x = vhost.publishTarget(message.exchange);
    const queues = vhost.routePublished(
      x,
      message.routingKey,
      message.properties.headers,
      mandatory,
    );
    if (queues.size === 0) {
      if (mandatory) this.host.send(noRouteReturnFrames(this.id, this.host.frameMax, message));
      return true;
    }
    let ok = true;
    for (const q of queues) if (q.enqueue(message) === "rejected") ok = false;
    return ok;
  }

  // --- transactions -----------------------------------------------------------

  #commit(): void {
    if (!this.#tx) throw preconditionFailed("channel is not transactional");
    for (const op of this.#tx.take()) {
      if (op.kind === "publish") this.#route(op.message, op.mandatory);
      else {
        releasePrefetch(op.items);
        this.#applySettle(op.items, op.action);
      }
    }
    whenKept(this.host.vhost.journal, () => this.#send("tx.commit-ok", {})); // persistent: synced
  }

  #rollback(): void {
    if (!this.#tx) throw preconditionFailed("channel is not transactional");
    // Acks and rejects not committed: those deliveries are unacknowledged again.
    this.#unacked.restore(settledIn(this.#tx.take()));
    this.#send("tx.rollback-ok", {});
  }

  // --- closing ----------------------------------------------------------------

  /** Server-initiated close for a channel-scoped error. */
  closeWithError(e: AmqpError): void {
    if (this.#state !== "open") return;
    this.#teardown();
    this.#state = "closing";
    this.#send("channel.close", {
      replyCode: e.code,
      replyText: e.text,
      classId: e.classId,
      methodId: e.methodId,
    }, true);
  }

  /**
   * Releases everything the channel holds: consumers leave their queues and
   * unacked messages are requeued (in order, redelivered). Idempotent.
   */
  #teardown(): void {
    if (this.#state === "closed") return;
    this.#publishing.reset();
    // An uncommitted transaction's acks never happened: requeue those too.
    if (this.#tx) this.#unacked.restore(settledIn(this.#tx.take()));
    this.#tx = undefined;
    const consumers = [...this.#consumers.values()];
    this.#consumers.clear();
    const unacked = this.#unacked.takeAll();
    // Requeue before the consumers leave, so an auto-delete queue that goes
    // with its last consumer takes its messages along as RabbitMQ does.
    this.#applySettle(unacked, "requeue");
    for (const c of consumers) c.queue.removeConsumer(c);
  }

  /** The connection is going away: release without sending anything. */
  abandon(): void {
    this.#teardown();
    this.#state = "closed";
  }

  #finish(): void {
    this.#teardown();
    this.#state = "closed";
    this.host.channelClosed(this.id);
  }

  #send<N extends MethodName>(method: N, args: MethodArgsInput<N>, force = false): void {
    if (this.#state !== "open" && !force && method !== "channel.close-ok") return;
    this.host.send(encodeMethodFrame(this.id, method, args));
  }

  /** Sends the reply unless the client asked for none (no-wait). */
  #reply<N extends MethodName>(a: { noWait: boolean }, method: N, args: MethodArgsInput<N>): void {
    if (!a.noWait) this.#send(method, args);
  }
}
