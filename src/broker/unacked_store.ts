/**
 * A channel's unacknowledged deliveries, by delivery tag. Tags only grow, so
 * the map's insertion order is tag order: `basic.ack multiple` takes a prefix,
 * and whatever goes back to the queues goes back in the order it was sent.
 */
import { preconditionFailed } from "./errors.ts";
import type { QueuedMessage } from "./message.ts";
import type { Queue } from "./queue.ts";

/** The part of a consumer the store needs: its count against its own prefetch. */
export interface PrefetchHolder {
  unacked: number;
}

export interface Unacked {
  readonly tag: number;
  readonly queue: Queue;
  readonly entry: QueuedMessage;
  /** Undefined for basic.get: no consumer's prefetch to release. */
  readonly consumer: PrefetchHolder | undefined;
}

/** What settling does to a delivery: gone for good, back to its queue, or dropped (dead-lettered). */
export type SettleAction = "ack" | "requeue" | "drop";

export class UnackedStore {
  #byTag = new Map<number, Unacked>();

  get size(): number {
    return this.#byTag.size;
  }

  add(u: Unacked): void {
    this.#byTag.set(u.tag, u);
  }

  /**
   * The deliveries an ack/nack/reject names: one tag, or with `multiple`
   * every tag up to it (tag 0 = all). An unknown tag is 406, as in RabbitMQ.
   */
  collect(tag: number, multiple: boolean): Unacked[] {
    if (multiple && tag === 0) return this.all();
    const exact = this.#byTag.get(tag);
    if (!exact) throw preconditionFailed(`unknown delivery tag ${tag}`);
    if (!multiple) return [exact];
    const out: Unacked[] = [];
    for (const u of this.#byTag.values()) {
      if (u.tag > tag) break;
      out.push(u);
    }
    return out;
  }

  all(): Unacked[] {
    return [...this.#byTag.values()];
  }

  delete(items: readonly Unacked[]): void {
    for (const u of items) this.#byTag.delete(u.tag);
  }

  /** Empties the store, returning what it held in tag order. */
  takeAll(): Unacked[] {
    const all = this.all();
    this.#byTag.clear();
    return all;
  }

  /** Puts deliveries back (a rolled-back transaction's acks), keeping tag order. */
  restore(items: readonly Unacked[]): void {
    if (items.length === 0) return;
    const all = [...this.#byTag.values(), ...items].sort((x, y) => x.tag - y.tag);
    this.#byTag = new Map(all.map((u) => [u.tag, u]));
  }
}

/** The deliveries no longer count against their consumers' prefetch. */
export function releasePrefetch(items: readonly Unacked[]): void {
  for (const u of items) if (u.consumer) u.consumer.unacked--;
}

/** Applies a settlement to the queues, one call per queue (a queue requeues a batch in order). */
export function settleInQueues(items: readonly Unacked[], action: SettleAction): void {
  if (items.length === 1) {
    // One ack per message is what most clients send: no grouping needed.
    const { queue, entry } = items[0]!;
    if (action === "requeue") queue.requeue([entry]);
    else queue.settle([entry], action === "drop" ? "rejected" : undefined);
    return;
  }
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
}
