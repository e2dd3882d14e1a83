/**
 * A basic.consume subscription: what a queue delivers to. It owns its
 * prefetch window (basic.qos without global, fixed when it started); the
 * channel owns the rest: whether anything may be sent now, the channel-wide
 * prefetch, delivery tags and the unacked store.
 */
import type { QueuedMessage } from "./message.ts";
import type { Queue, QueueConsumer } from "./queue.ts";

/** What a consumer needs from the channel it was started on. */
export interface ConsumerChannel {
  /** Open and its socket draining: deliveries may go out. */
  canSend(): boolean;
  /** The channel-wide prefetch (basic.qos global) leaves room for one more unacked delivery. */
  underGlobalPrefetch(): boolean;
  deliver(consumer: ChannelConsumer, entry: QueuedMessage, queue: Queue): void;
  /** The queue went away under the consumer. */
  consumerGone(consumer: ChannelConsumer): void;
}

export interface ChannelConsumerOptions {
  channel: ConsumerChannel;
  tag: string;
  queue: Queue;
  /** Deliveries count as acknowledged when sent (no unacked, no prefetch). */
  noAck: boolean;
  exclusive: boolean;
  /** Most unacked deliveries at once (0 = no limit). */
  prefetch: number;
  /** x-priority: higher-priority consumers are served first while they have room. */
  priority: number;
}

export class ChannelConsumer implements QueueConsumer {
  readonly channel: ConsumerChannel;
  readonly tag: string;
  readonly queue: Queue;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  readonly prefetch: number;
  readonly priority: number;
  /** Deliveries not yet settled (settled inside an open transaction still count). */
  unacked = 0;

  constructor(opts: ChannelConsumerOptions) {
    this.channel = opts.channel;
    this.tag = opts.tag;
    this.queue = opts.queue;
    this.noAck = opts.noAck;
    this.exclusive = opts.exclusive;
    this.prefetch = opts.prefetch;
    this.priority = opts.priority;
  }

  canAccept(): boolean {
    if (!this.channel.canSend()) return false;
    if (this.noAck) return true;
    if (this.prefetch > 0 && this.unacked >= this.prefetch) return false;
    return this.channel.underGlobalPrefetch();
  }

  deliver(entry: QueuedMessage, queue: Queue): void {
    this.channel.deliver(this, entry, queue);
  }

  cancelledByQueue(_queue: Queue): void {
    this.channel.consumerGone(this);
  }
}
