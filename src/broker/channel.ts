/**
 * One AMQP channel: translates exchange/queue/basic/confirm/tx methods into
 * vhost operations, assembles published messages (a state machine: method ->
 * content header -> body frames; anything else in between is 505
 * UNEXPECTED_FRAME), delivers to its consumers within their prefetch, and
 * keeps the channel's unacknowledged deliveries, which go back to their
 * queues, in order and marked redelivered, when the channel closes.
 */
import {
  type BasicProperties,
  encodeMessageFrames,
  encodeMethodFrame,
  type Frame,
  type Method,
  type MethodArgs,
  type MethodArgsInput,
  type MethodName,
} from "../amqp/mod.ts";
import {
  AmqpError,
  channelError,
  notAllowed,
  notFound,
  notImplemented,
  preconditionFailed,
  ReplyCode,
  unexpectedFrame,
} from "./errors.ts";
import type { Message, QueuedMessage } from "./message.ts";
import { parseExpiration } from "./message.ts";
import type { Queue, QueueConsumer } from "./queue.ts";
import { parseConsumerPriority } from "./queue_args.ts";
import { randomName, type Vhost } from "./vhost.ts";

/** What a channel needs from its connection. */
export interface ChannelHost {
  readonly vhost: Vhost;
  /** Identity owning exclusive queues (the connection). */
  readonly owner: object;
  readonly frameMax: number;
  readonly maxMessageSize: number;
  /** The authenticated user (a user-id property must match it). */
  readonly userName: string;
  /** The client asked for basic.cancel when a queue it consumes from is deleted. */
  readonly consumerCancelNotify: boolean;
  /** False while the socket is not draining: consumers must wait. */
  canWrite(): boolean;
  send(bytes: Uint8Array): void;
  /** The channel is fully closed and its number may be reused. */
  channelClosed(id: number): void;
}

interface Unacked {
  readonly tag: number;
  readonly queue: Queue;
  readonly entry: QueuedMessage;
  readonly consumer: ChannelConsumer | undefined;
}

interface PendingPublish {
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  properties?: BasicProperties;
  bodySize: number;
  chunks: Uint8Array[];
  received: number;
}

type TxOp =
  | { kind: "publish"; message: Message; mandatory: boolean }
  | { kind: "settle"; items: Unacked[]; action: "ack" | "requeue" | "drop" };

class ChannelConsumer implements QueueConsumer {
  unacked = 0;
  constructor(
    readonly channel: Channel,
    readonly tag: string,
    readonly queue: Queue,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    readonly prefetch: number,
    readonly priority: number,
  ) {}
  canAccept(): boolean {
    return this.channel.canDeliver(this);
  }
  deliver(entry: QueuedMessage, queue: Queue): void {
    this.channel.deliver(this, entry, queue);
  }
  cancelledByQueue(_queue: Queue): void {
    this.channel.consumerGone(this);
  }
}

const MESSAGE_METHODS_CLASS = 60;

export class Channel {
  #state: "open" | "closing" | "closed" = "open";
  #pending: PendingPublish | undefined;
  #consumers = new Map<string, ChannelConsumer>();
  #unacked = new Map<number, Unacked>();
  #deliveryTag = 0;
  #prefetch = 0;
  #globalPrefetch = 0;
  #lastQueue = "";
  #confirm = false;
  #publishSeq = 0;
  #confirmQueue: { seq: number; ok: boolean }[] = [];
  #confirmFlushScheduled = false;
  #tx: TxOp[] | undefined;
  /**
   * Deliveries settled inside the open transaction. They left `#unacked` (a
   * second ack of the tag is 406) but, as in RabbitMQ, still hold their
   * prefetch slots until commit, and are requeued if the channel closes first.
   */
  #txSettled = 0;

  constructor(readonly id: number, readonly host: ChannelHost) {}

  get state(): "open" | "closing" | "closed" {
    return this.#state;
  }

  get unackedCount(): number {
    return this.#unacked.size;
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
    const pending = this.#pending;
    switch (frame.type) {
      case "method":
        if (pending) {
          throw withMethod(
            unexpectedFrame(
              pending.properties
                ? "expected content body, got non content body frame instead"
                : "expected content header for class 60, got non content header frame instead",
            ),
            60,
            40,
          );
        }
        return this.#method(frame.method);
      case "header": {
        if (!pending || pending.properties) {
          throw unexpectedFrame("expected method frame, got non method frame instead");
        }
        if (frame.classId !== MESSAGE_METHODS_CLASS) {
          throw withMethod(
            unexpectedFrame(
              `expected content header for class 60, got one for class ${frame.classId} instead`,
            ),
            60,
            40,
          );
        }
        if (frame.bodySize > this.host.maxMessageSize) {
          this.#pending = undefined;
          throw withMethod(
            preconditionFailed(
              `message size ${frame.bodySize} is larger than configured max size ${this.host.maxMessageSize}`,
            ),
            60,
            40,
          );
        }
        const userId = frame.properties.userId;
        if (userId !== undefined && userId !== this.host.userName) {
          this.#pending = undefined;
          throw withMethod(
            preconditionFailed(
              `user_id property set to '${userId}' but authenticated user was '${this.host.userName}'`,
            ),
            60,
            40,
          );
        }
        try {
          parseExpiration(frame.properties.expiration);
        } catch (e) {
          this.#pending = undefined;
          throw withMethod(preconditionFailed((e as Error).message), 60, 40);
        }
        pending.properties = frame.properties;
        pending.bodySize = frame.bodySize;
        if (frame.bodySize === 0) this.#completePublish();
        return;
      }
      case "body":
        if (!pending || !pending.properties) {
          throw unexpectedFrame("expected method frame, got non method frame instead");
        }
        pending.received += frame.payload.length;
        if (pending.received > pending.bodySize) {
          throw unexpectedFrame(
            `content body of ${pending.received} bytes exceeds the ${pending.bodySize} announced in the header`,
          );
        }
        pending.chunks.push(frame.payload);
        if (pending.received === pending.bodySize) this.#completePublish();
        return;
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
          return this.#exchangeDeclare(m.args);
        case "exchange.delete":
          this.host.vhost.deleteExchange(m.args.exchange, m.args.ifUnused);
          return this.#reply(m.args, "exchange.delete-ok", {});
        case "exchange.bind":
          this.host.vhost.bindExchange(
            m.args.destination,
            m.args.source,
            m.args.routingKey,
            m.args.arguments,
          );
          return this.#reply(m.args, "exchange.bind-ok", {});
        case "exchange.unbind":
          this.host.vhost.unbindExchange(
            m.args.destination,
            m.args.source,
            m.args.routingKey,
            m.args.arguments,
          );
          return this.#reply(m.args, "exchange.unbind-ok", {});
        case "queue.declare":
          return this.#queueDeclare(m.args);
        case "queue.bind":
          this.host.vhost.bindQueue(
            this.#queueName(m.args.queue),
            m.args.exchange,
            m.args.routingKey,
            m.args.arguments,
            this.host.owner,
          );
          return this.#reply(m.args, "queue.bind-ok", {});
        case "queue.unbind":
          this.host.vhost.unbindQueue(
            this.#queueName(m.args.queue),
            m.args.exchange,
            m.args.routingKey,
            m.args.arguments,
            this.host.owner,
          );
          return this.#send("queue.unbind-ok", {});
        case "queue.purge": {
          const n = this.host.vhost.purgeQueue(this.#queueName(m.args.queue), this.host.owner);
          return this.#reply(m.args, "queue.purge-ok", { messageCount: n });
        }
        case "queue.delete": {
          const n = this.host.vhost.deleteQueue(this.#queueName(m.args.queue), {
            ifUnused: m.args.ifUnused,
            ifEmpty: m.args.ifEmpty,
          }, this.host.owner);
          return this.#reply(m.args, "queue.delete-ok", { messageCount: n });
        }
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
          this.#settle([...this.#unacked.values()], "requeue", true);
          if (m.name === "basic.recover") this.#send("basic.recover-ok", {});
          return;
        case "confirm.select":
          if (this.#tx) {
            throw preconditionFailed("cannot switch from tx to confirm mode");
          }
          this.#confirm = true;
          if (!m.args.nowait) this.#send("confirm.select-ok", {});
          return;
        case "tx.select":
          if (this.#confirm) {
            throw preconditionFailed("cannot switch from confirm to tx mode");
          }
          this.#tx ??= [];
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

  // --- exchanges and queues -------------------------------------------------

  #exchangeDeclare(a: MethodArgs["exchange.declare"]): void {
    this.host.vhost.declareExchange(a.exchange, a.type, {
      passive: a.passive,
      durable: a.durable,
      autoDelete: a.autoDelete,
      internal: a.internal,
      arguments: a.arguments,
    });
    this.#reply(a, "exchange.declare-ok", {});
  }

  #queueDeclare(a: MethodArgs["queue.declare"]): void {
    const name = a.queue;
    const ok = this.host.vhost.declareQueue(
      name === "" && a.passive ? this.#queueName(name) : name,
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
    this.#reply(a, "queue.declare-ok", {
      queue: ok.queue.name,
      messageCount: ok.messageCount,
      consumerCount: ok.consumerCount,
    });
  }

  /** RabbitMQ lets "" mean the queue this channel declared last. */
  #queueName(name: string): string {
    if (name !== "") return name;
    if (this.#lastQueue === "") {
      throw notFound("queue", "", this.host.vhost.name);
    }
    return this.#lastQueue;
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
    const queue = vhost.queue(this.#queueName(a.queue), this.host.owner);
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
    const consumer = new ChannelConsumer(
      this,
      tag,
      queue,
      a.noAck,
      exclusive,
      this.#prefetch,
      parseConsumerPriority(queue.name, vhost.name, a.arguments),
    );
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

  canDeliver(consumer: ChannelConsumer): boolean {
    if (this.#state !== "open" || !this.host.canWrite()) return false;
    if (consumer.noAck) return true;
    if (consumer.prefetch > 0 && consumer.unacked >= consumer.prefetch) return false;
    const held = this.#unacked.size + this.#txSettled;
    if (this.#globalPrefetch > 0 && held >= this.#globalPrefetch) return false;
    return true;
  }

  deliver(consumer: ChannelConsumer, entry: QueuedMessage, queue: Queue): void {
    const tag = ++this.#deliveryTag;
    if (!consumer.noAck) {
      this.#unacked.set(tag, { tag, queue, entry, consumer });
      consumer.unacked++;
    }
    const m = entry.message;
    this.host.send(encodeMessageFrames({
      channel: this.id,
      method: "basic.deliver",
      args: {
        consumerTag: consumer.tag,
        deliveryTag: tag,
        redelivered: entry.redelivered,
        exchange: m.exchange,
        routingKey: m.routingKey,
      },
      properties: m.properties,
      body: m.body,
      frameMax: this.host.frameMax,
    }));
  }

  #get(a: MethodArgs["basic.get"]): void {
    const queue = this.host.vhost.queue(this.#queueName(a.queue), this.host.owner);
    const noAck = a.noAck;
    const got = queue.get(noAck);
    if (!got) {
      this.#send("basic.get-empty", {});
      return;
    }
    const tag = ++this.#deliveryTag;
    if (!noAck) this.#unacked.set(tag, { tag, queue, entry: got.entry, consumer: undefined });
    const m = got.entry.message;
    this.host.send(encodeMessageFrames({
      channel: this.id,
      method: "basic.get-ok",
      args: {
        deliveryTag: tag,
        redelivered: got.entry.redelivered,
        exchange: m.exchange,
        routingKey: m.routingKey,
        messageCount: got.remaining,
      },
      properties: m.properties,
      body: m.body,
      frameMax: this.host.frameMax,
    }));
  }

  // --- acknowledgements -------------------------------------------------------

  /** `tag` is a longlong: one beyond 2^53 arrives as a bigint and matches no delivery. */
  #collect(wireTag: number | bigint, multiple: boolean): Unacked[] {
    const tag = Number(wireTag);
    if (multiple && tag === 0) return [...this.#unacked.values()];
    const exact = this.#unacked.get(tag);
    if (!exact) throw preconditionFailed(`unknown delivery tag ${tag}`);
    if (!multiple) return [exact];
    const out: Unacked[] = [];
    for (const u of this.#unacked.values()) {
      if (u.tag > tag) break;
      out.push(u);
    }
    return out;
  }

  #settle(items: Unacked[], action: "ack" | "requeue" | "drop", immediate = false): void {
    for (const u of items) this.#unacked.delete(u.tag);
    if (this.#tx && !immediate) {
      this.#tx.push({ kind: "settle", items, action });
      this.#txSettled += items.length;
      return;
    }
    this.#releaseSlots(items);
    this.#applySettle(items, action);
  }

  /** The deliveries no longer count against their consumers' prefetch. */
  #releaseSlots(items: Unacked[]): void {
    for (const u of items) if (u.consumer) u.consumer.unacked--;
  }

  #applySettle(items: Unacked[], action: "ack" | "requeue" | "drop"): void {
    const byQueue = new Map<Queue, QueuedMessage[]>();
    for (const u of items) {
      let list = byQueue.get(u.queue);
      if (!list) byQueue.set(u.queue, list = []);
      list.push(u.entry);
    }
    for (const [queue, entries] of byQueue) {
      if (action === "requeue") queue.requeue(entries);
      else queue.settle(entries, action === "drop" ? "rejected" : undefined);
    }
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
    const exchange = a.exchange;
    this.host.vhost.publishTarget(exchange); // 404 / 403 before the content arrives
    this.#pending = {
      exchange,
      routingKey: a.routingKey,
      mandatory: a.mandatory,
      bodySize: 0,
      chunks: [],
      received: 0,
    };
  }

  #completePublish(): void {
    const p = this.#pending!;
    this.#pending = undefined;
    let body: Uint8Array;
    if (p.chunks.length === 1) body = p.chunks[0]!.slice();
    else {
      body = new Uint8Array(p.bodySize);
      let off = 0;
      for (const c of p.chunks) {
        body.set(c, off);
        off += c.length;
      }
    }
    const message: Message = {
      exchange: p.exchange,
      routingKey: p.routingKey,
      properties: p.properties!,
      body,
    };
    if (this.#tx) {
      this.#tx.push({ kind: "publish", message, mandatory: p.mandatory });
      return;
    }
    const seq = this.#confirm ? ++this.#publishSeq : 0;
    const ok = this.#route(message, p.mandatory);
    if (seq > 0) this.#confirmed(seq, ok);
  }

  /** Routes and enqueues; returns false when a queue refused it (reject-publish). */
  #route(message: Message, mandatory: boolean): boolean {
    const vhost = this.host.vhost;
    const x = vhost.publishTarget(message.exchange);
    const queues = vhost.route(x, message.routingKey, message.properties.headers);
    if (queues.size === 0) {
      if (mandatory) {
        this.host.send(encodeMessageFrames({
          channel: this.id,
          method: "basic.return",
          args: {
            replyCode: ReplyCode.NO_ROUTE,
            replyText: "NO_ROUTE",
            exchange: message.exchange,
            routingKey: message.routingKey,
          },
          properties: message.properties,
          body: message.body,
          frameMax: this.host.frameMax,
        }));
      }
      return true;
    }
    let ok = true;
    for (const q of queues) if (q.enqueue(message) === "rejected") ok = false;
    return ok;
  }

  #confirmed(seq: number, ok: boolean): void {
    this.#confirmQueue.push({ seq, ok });
    if (this.#confirmFlushScheduled) return;
    this.#confirmFlushScheduled = true;
    // Coalesce: everything confirmed in one turn goes out as few frames as possible.
    queueMicrotask(() => this.#flushConfirms());
  }

  #flushConfirms(): void {
    this.#confirmFlushScheduled = false;
    const list = this.#confirmQueue;
    this.#confirmQueue = [];
    if (this.#state !== "open") return;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (!c.ok) {
        this.#send("basic.nack", { deliveryTag: c.seq, multiple: false, requeue: false });
        continue;
      }
      const next = list[i + 1];
      if (next && next.ok) continue; // part of a run of acks: the last one covers it
      const runStart = list.findLastIndex((x, j) => j < i && !x.ok) + 1;
      this.#send("basic.ack", { deliveryTag: c.seq, multiple: i > runStart });
    }
  }

  // --- transactions -----------------------------------------------------------

  #commit(): void {
    if (!this.#tx) throw preconditionFailed("channel is not transactional");
    const ops = this.#tx;
    this.#tx = [];
    this.#txSettled = 0;
    for (const op of ops) {
      if (op.kind === "publish") this.#route(op.message, op.mandatory);
      else {
        this.#releaseSlots(op.items);
        this.#applySettle(op.items, op.action);
      }
    }
    this.#send("tx.commit-ok", {});
  }

  #rollback(): void {
    if (!this.#tx) throw preconditionFailed("channel is not transactional");
    const ops = this.#tx;
    this.#tx = [];
    // Acks and rejects not committed: those deliveries are unacknowledged again.
    this.#restoreTxSettled(ops);
    this.#send("tx.rollback-ok", {});
  }

  /** Puts the deliveries settled in `ops` back among the unacked, in tag order. */
  #restoreTxSettled(ops: TxOp[]): void {
    this.#txSettled = 0;
    const restored: Unacked[] = [];
    for (const op of ops) if (op.kind === "settle") restored.push(...op.items);
    if (restored.length === 0) return;
    const all = [...this.#unacked.values(), ...restored].sort((x, y) => x.tag - y.tag);
    this.#unacked = new Map(all.map((u) => [u.tag, u]));
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
    this.#pending = undefined;
    // An uncommitted transaction's acks never happened: requeue those too.
    if (this.#tx) this.#restoreTxSettled(this.#tx);
    this.#tx = undefined;
    const consumers = [...this.#consumers.values()];
    this.#consumers.clear();
    const unacked = [...this.#unacked.values()];
    this.#unacked.clear();
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

function withMethod(e: AmqpError, classId: number, methodId: number): AmqpError {
  e.classId = classId;
  e.methodId = methodId;
  return e;
}
