/**
 * A queue: an in-memory message store (ready messages in priority lanes, each
 * in enqueue order), the consumers reading from it, and the per-queue rules:
 * message TTL, x-expires, max-length with drop-head or reject-publish,
 * dead-lettering and priorities.
 *
 * Delivered-but-unacknowledged messages belong to the channel that got them
 * (delivery tags are per channel); the queue only counts them and takes them
 * back through `requeue()` / `settle()`.
 */
import type { FieldTable } from "../amqp/field_table.ts";
import type { DeathReason } from "./dead_letter.ts";
import { ConsumerRing } from "./consumer_ring.ts";
import { Deque } from "./deque.ts";
import { internalErrorText } from "./errors.ts";
import type { Message, QueuedMessage } from "./message.ts";
import type { QueueJournal, RestoredMessage } from "./queue_journal.ts";
import { messageBytes, parseExpiration } from "./message.ts";
import type { QueueArgs } from "./queue_args.ts";
import { QueueStats } from "./message_stats.ts";
import type { BrokerTimers } from "./timers.ts";

/** A consumer as the queue sees it; implemented by the channel. */
export interface QueueConsumer {
  readonly tag: string;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  /** Consumer priority (`x-priority`): higher ones are served first while they have room. */
  readonly priority: number;
  /** Whether it can take one more message now (prefetch, flow, socket backpressure). */
  canAccept(): boolean;
  deliver(entry: QueuedMessage, queue: Queue): void;
  /** The queue was deleted: the consumer is gone (consumer cancel notify). */
  cancelledByQueue(queue: Queue): void;
}

/** Counts the bytes messages hold, for the broker's memory watermark. */
export interface MemoryAccount {
  add(delta: number): void;
}

/** Per-message bookkeeping estimate added to the body size in memory accounting. */
export const MESSAGE_OVERHEAD_BYTES = 256;

/** What a queue needs from its vhost. */
export interface QueueHost {
  readonly timers: BrokerTimers;
  readonly memory?: MemoryAccount;
  /** Keeps durable queues' persistent messages (none without a data dir). */
  readonly journal?: QueueJournal;
  /** The broker's log (never the console: it would draw over the dashboard). */
  log(line: string): void;
  deadLetter(queue: Queue, messages: Message[], reason: DeathReason): void;
  /** The queue wants to go away (auto-delete or x-expires). */
  expire(queue: Queue): void;
}

export interface QueueOptions {
  durable: boolean;
  exclusiveOwner: object | undefined;
  autoDelete: boolean;
  arguments: FieldTable;
  args: QueueArgs;
}

export type EnqueueResult = "queued" | "delivered" | "rejected" | "dropped";

export class Queue {
  readonly stats = new QueueStats(); // for the management API: plain increments
  readonly #lanes: Deque<QueuedMessage>[];
  #readyCount = 0;
  #readyBytes = 0;
  #unacked = 0;
  #unackedBytes = 0;
  #accounted = 0; // last total reported to host.memory
  #seq = 0;
  readonly #consumers = new ConsumerRing<QueueConsumer>();
  #hadConsumer = false;
  #deleted = false;
  #dispatchScheduled = false;
  #expiryTimer: unknown;
  #expiryAt = Infinity;
  #idleTimer: unknown;
  readonly #journal: QueueJournal | undefined;

  constructor(
    readonly name: string,
    readonly vhost: string,
    readonly options: QueueOptions,
    readonly host: QueueHost,
  ) {
    const lanes = (options.args.maxPriority ?? 0) + 1;
    this.#lanes = Array.from({ length: lanes }, () => new Deque<QueuedMessage>());
    // Exclusive queues die with their connection, so a restart never sees them.
    const kept = options.durable && options.exclusiveOwner === undefined;
    this.#journal = kept ? host.journal : undefined;
    this.touch();
  }

  get args(): QueueArgs {
    return this.options.args;
  }
  get messageCount(): number {
    return this.#readyCount;
  }
  get readyBytes(): number {
    return this.#readyBytes;
  }
  get unackedCount(): number {
    return this.#unacked;
  }
  get consumerCount(): number {
    return this.#consumers.length;
  }
  get consumers(): readonly QueueConsumer[] {
    return this.#consumers.list;
  }
  get deleted(): boolean {
    return this.#deleted;
  }

  /**
   * Takes a routed message. With a free consumer and nothing waiting it is
   * delivered at once (so TTL 0 and max-length 0 behave as in RabbitMQ).
   */
  enqueue(message: Message): EnqueueResult {
    if (this.#deleted) return "dropped";
    const { args } = this;
    const size = messageBytes(message);
    if (args.overflow !== "drop-head" && this.#wouldOverflow(size)) {
      if (args.overflow === "reject-publish-dlx") this.host.deadLetter(this, [message], "maxlen");
      return "rejected";
    }
    try {
      return this.#enqueue(message);
    } finally {
      this.#account();
    }
  }

  #enqueue(message: Message): EnqueueResult {
    const { args } = this;
    this.stats.publish++;
    let ttl = args.messageTtl;
    let perMessage: number | undefined;
    try {
      perMessage = parseExpiration(message.properties.expiration);
    } catch {
      perMessage = undefined;
    }
    if (perMessage !== undefined) ttl = ttl === undefined ? perMessage : Math.min(ttl, perMessage);
    const entry: QueuedMessage = {
      message,
      seq: this.#seq++,
      expiresAt: ttl === undefined ? Infinity : this.host.timers.now() + ttl,
      priority: this.#priorityOf(message),
      redelivered: false,
    };
    this.#journal?.added(this.name, entry);
    if (this.#readyCount === 0) {
      const consumer = this.#consumers.pick(this.args.singleActiveConsumer);
      if (consumer) {
        this.#handOver(consumer, entry);
        return "delivered";
      }
      if (ttl === 0) {
        this.#forget([entry]);
        this.host.deadLetter(this, [message], "expired");
        return "dropped";
      }
    }
    this.#push(entry);
    this.#enforceMaxLength();
    this.#armExpiry();
    this.#scheduleDispatch();
    return "queued";
  }

  /** basic.get: the head message (counted as unacked unless noAck), or undefined. */
  get(noAck: boolean): { entry: QueuedMessage; remaining: number } | undefined {
    this.touch();
    this.#dropExpired();
    const entry = this.#shift();
    this.stats.got(entry, noAck);
    if (!entry) return undefined;
    this.#tookOut(entry, noAck);
    this.#armExpiry();
    this.#account();
    return { entry, remaining: this.#readyCount };
  }

  /** An unacked message was acknowledged (or rejected without requeue: `deadLetter`). */
  settle(entries: readonly QueuedMessage[], deadLetter: DeathReason | undefined): void {
    this.#unacked -= entries.length;
    this.#forget(entries);
    if (!deadLetter) this.stats.ack += entries.length;
    for (const e of entries) this.#unackedBytes -= messageBytes(e.message);
    this.#account();
    if (deadLetter && entries.length > 0 && !this.#deleted) {
      this.host.deadLetter(this, entries.map((e) => e.message), deadLetter);
    }
    if (this.#unacked < 0) this.#unacked = 0;
  }

  /** Puts unacked messages back at their original place, marked redelivered. */
  requeue(entries: readonly QueuedMessage[]): void {
    this.#unacked -= entries.length;
    if (this.#unacked < 0) this.#unacked = 0;
    for (const e of entries) this.#unackedBytes -= messageBytes(e.message);
    if (this.#deleted || entries.length === 0) {
      this.#account();
      return;
    }
    const sorted = [...entries].sort((a, b) => a.seq - b.seq);
    const byLane = new Map<number, QueuedMessage[]>();
    for (const e of sorted) {
      e.redelivered = true;
      let list = byLane.get(e.priority);
      if (!list) byLane.set(e.priority, list = []);
      list.push(e);
      this.#readyCount++;
      this.#readyBytes += messageBytes(e.message);
    }
    for (const [priority, list] of byLane) this.#lanes[priority]!.mergeSorted(list, (e) => e.seq);
    // Requeued messages count again, so a full drop-head queue sheds its head
    // (often the message just requeued), as RabbitMQ does.
    this.#enforceMaxLength();
    this.#armExpiry();
    this.#account();
    this.#scheduleDispatch();
  }

  /** Removes every ready message; returns how many. */
  purge(): number {
    const n = this.#readyCount;
    for (const lane of this.#lanes) this.#forget([...lane]);
    for (const lane of this.#lanes) lane.clear();
    this.#readyCount = 0;
    this.#readyBytes = 0;
    this.#armExpiry();
    this.#account();
    return n;
  }

  addConsumer(consumer: QueueConsumer): void {
    this.#consumers.add(consumer);
    this.#hadConsumer = true;
    this.#stopIdleTimer();
    this.#scheduleDispatch();
  }

  /** Removes a consumer; an auto-delete queue goes away with its last one. */
  removeConsumer(consumer: QueueConsumer): void {
    if (!this.#consumers.remove(consumer)) return;
    if (this.#consumers.length === 0) {
      if (this.options.autoDelete && this.#hadConsumer) {
        this.host.expire(this);
        return;
      }
      this.touch();
    }
  }

  /** Some consumer may accept again (ack, flow on, socket drained): try to deliver. */
  kick(): void {
    if (this.#readyCount > 0 && this.#consumers.length > 0) this.#scheduleDispatch();
  }

  /** Counts as use for x-expires (declare, get, last consumer gone). */
  touch(): void {
    const expires = this.args.expires;
    if (expires === undefined || this.#deleted) return;
    this.#stopIdleTimer();
    if (this.#consumers.length > 0) return;
    this.#idleTimer = this.host.timers.setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#consumers.length === 0 && !this.#deleted) this.host.expire(this);
    }, expires);
  }

  /**
   * Marks the queue deleted: stops timers, tells consumers, drops messages.
   * Returns the number of ready messages it held.
   */
  markDeleted(): number {
    if (this.#deleted) return 0;
    const n = this.#readyCount;
    this.#deleted = true;
    this.#stopIdleTimer();
    if (this.#expiryTimer !== undefined) this.host.timers.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    const consumers = this.#consumers.takeAll();
    for (const c of consumers) c.cancelledByQueue(this);
    for (const lane of this.#lanes) lane.clear();
    this.#readyCount = 0;
    this.#readyBytes = 0;
    this.#account();
    return n;
  }

  /** Messages recovered from the store at start-up, in their order, ready and unchanged. */
  restore(list: readonly RestoredMessage[]): void {
    for (const r of list) {
      const { message, expiresAt, redelivered, storeId } = r;
      const priority = this.#priorityOf(message);
      const seq = this.#seq++;
      this.#push({
        message,
        seq,
        expiresAt,
        priority,
        redelivered,
        storeId,
        storeDelivered: redelivered,
      });
    }
    this.#armExpiry();
    this.#account();
  }

  /** Ready messages in delivery order (for inspection, tests and the management view). */
  *readyMessages(): IterableIterator<QueuedMessage> {
    for (let p = this.#lanes.length - 1; p >= 0; p--) yield* this.#lanes[p]!;
  }

  // --- internals -----------------------------------------------------------

  #wouldOverflow(size: number): boolean {
    const { maxLength, maxLengthBytes } = this.args;
    if (maxLength !== undefined && this.#readyCount >= maxLength) return true;
    if (maxLengthBytes !== undefined && this.#readyBytes + size > maxLengthBytes) return true;
    return false;
  }

  /** With drop-head overflow, drops the oldest ready messages until the queue fits. */
  #enforceMaxLength(): void {
    const { maxLength, maxLengthBytes, overflow } = this.args;
    if (maxLength === undefined && maxLengthBytes === undefined) return;
    if (overflow !== "drop-head") return;
    const dropped: Message[] = [];
    while (
      this.#readyCount > 0 &&
      ((maxLength !== undefined && this.#readyCount > maxLength) ||
        (maxLengthBytes !== undefined && this.#readyBytes > maxLengthBytes))
    ) {
      const head = this.#shiftOldest();
      if (head) dropped.push(head.message);
      if (head) this.#forget([head]);
    }
    if (dropped.length > 0) this.host.deadLetter(this, dropped, "maxlen");
  }

  #push(entry: QueuedMessage): void {
    this.#lanes[entry.priority]!.push(entry);
    this.#readyCount++;
    this.#readyBytes += messageBytes(entry.message);
  }

  /** Next message to deliver: highest priority lane first. */
  #shift(): QueuedMessage | undefined {
    for (let p = this.#lanes.length - 1; p >= 0; p--) {
      const lane = this.#lanes[p]!;
      if (lane.length > 0) return this.#took(lane.shift()!);
    }
    return undefined;
  }

  /** The head that drop-head discards: the lowest priority's oldest, as RabbitMQ does. */
  #shiftOldest(): QueuedMessage | undefined {
    for (const lane of this.#lanes) if (lane.length > 0) return this.#took(lane.shift()!);
    return undefined;
  }

  #took(entry: QueuedMessage): QueuedMessage {
    this.#readyCount--;
    this.#readyBytes -= messageBytes(entry.message);
    return entry;
  }

  /** Drops expired messages at the head of each lane (RabbitMQ expires from the head only). */
  #dropExpired(): void {
    let now: number | undefined; // read only when a head can expire (not per delivery)
    let expired: Message[] | undefined;
    for (const lane of this.#lanes) {
      while (lane.length > 0) {
        const at = lane.peek()!.expiresAt;
        if (at === Infinity || at > (now ??= this.host.timers.now())) break;
        const entry = this.#took(lane.shift()!);
        this.#forget([entry]);
        (expired ??= []).push(entry.message);
      }
    }
    if (expired) this.host.deadLetter(this, expired, "expired");
  }

  #armExpiry(): void {
    let earliest = Infinity;
    for (const lane of this.#lanes) {
      const head = lane.peek();
      if (head && head.expiresAt < earliest) earliest = head.expiresAt;
    }
    if (earliest === this.#expiryAt) return;
    if (this.#expiryTimer !== undefined) this.host.timers.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    this.#expiryAt = earliest;
    if (earliest === Infinity || this.#deleted) return;
    const delay = Math.max(0, earliest - this.host.timers.now());
    this.#expiryTimer = this.host.timers.setTimeout(() => {
      this.#expiryTimer = undefined;
      this.#expiryAt = Infinity;
      this.#dropExpired();
      this.#armExpiry();
      this.#account();
    }, delay);
  }

  #stopIdleTimer(): void {
    if (this.#idleTimer !== undefined) this.host.timers.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #handOver(consumer: QueueConsumer, entry: QueuedMessage): void {
    this.stats.delivered(entry, consumer.noAck);
    this.#tookOut(entry, consumer.noAck);
    consumer.deliver(entry, this);
  }

  /** A message left the ready list for a client: gone with no-ack, else unacked. */
  #tookOut(entry: QueuedMessage, noAck: boolean): void {
    if (noAck) return this.#forget([entry]);
    this.#unacked++;
    this.#unackedBytes += messageBytes(entry.message);
    if (entry.storeId !== undefined) this.#journal?.delivered(entry);
  }

  #forget(entries: readonly QueuedMessage[]): void {
    if (this.#journal && entries.length > 0) this.#journal.removed(entries);
  }

  #priorityOf(message: Message): number {
    const max = this.args.maxPriority;
    return max === undefined ? 0 : Math.min(message.properties.priority ?? 0, max);
  }

  #scheduleDispatch(): void {
    if (this.#dispatchScheduled || this.#consumers.length === 0) return;
    this.#dispatchScheduled = true;
    queueMicrotask(() => {
      this.#dispatchScheduled = false;
      try {
        this.#dispatch();
      } catch (e) {
        // Never let one bad delivery take the whole broker down.
        this.host.log(`queue '${this.name}': dispatch failed: ${internalErrorText(e)}`);
      }
    });
  }

  #dispatch(): void {
    if (this.#deleted) return;
    while (this.#readyCount > 0 && this.#consumers.length > 0) {
      const consumer = this.#consumers.pick(this.args.singleActiveConsumer);
      if (!consumer) break;
      this.#dropExpired();
      const entry = this.#shift();
      if (!entry) break;
      this.#handOver(consumer, entry);
    }
    this.#armExpiry();
    this.#account();
  }

  /** Reports the change in bytes held (ready + unacked, with overhead) to the memory account. */
  #account(): void {
    const memory = this.host.memory;
    if (!memory) return;
    const held = this.#readyBytes + this.#unackedBytes +
      (this.#readyCount + this.#unacked) * MESSAGE_OVERHEAD_BYTES;
    if (held !== this.#accounted) {
      memory.add(held - this.#accounted);
      this.#accounted = held;
    }
  }
}
