/**
 * Message counters for the management API's `message_stats`, per queue and
 * per vhost. Plain integer fields bumped on the hot path (no maps, no
 * allocation); the management API's sampler turns them into rates once a
 * second.
 */
import type { Exchange } from "./exchange.ts";
import type { QueuedMessage } from "./message.ts";

export class QueueStats {
  publish = 0;
  deliver = 0;
  deliverNoAck = 0;
  get = 0;
  getNoAck = 0;
  getEmpty = 0;
  ack = 0;
  redeliver = 0;

  /** A delivery to a consumer. */
  delivered(entry: QueuedMessage, noAck: boolean): void {
    if (noAck) this.deliverNoAck++;
    else this.deliver++;
    if (entry.redelivered) this.redeliver++;
  }

  /** A basic.get answered (`entry` undefined: get-empty). */
  got(entry: QueuedMessage | undefined, noAck: boolean): void {
    if (!entry) this.getEmpty++;
    else {
      if (noAck) this.getNoAck++;
      else this.get++;
      if (entry.redelivered) this.redeliver++;
    }
  }

  /** Adds another queue's counts (a deleted queue's, kept in its vhost's totals). */
  addFrom(other: QueueStats): void {
    this.publish += other.publish;
    this.deliver += other.deliver;
    this.deliverNoAck += other.deliverNoAck;
    this.get += other.get;
    this.getNoAck += other.getNoAck;
    this.getEmpty += other.getEmpty;
    this.ack += other.ack;
    this.redeliver += other.redeliver;
  }
}

/** A vhost's counters beyond its queues' (overview and vhosts). */
export class VhostStats {
  publish = 0;
  dropUnroutable = 0;
  returnUnroutable = 0;
  /** Counts of queues since deleted, so totals never go backwards. */
  readonly retired = new QueueStats();

  /** A client's publish to `x` reached `queues` queues. */
  published(x: Exchange, queues: number, mandatory: boolean): void {
    this.publish++;
    x.publishIn++;
    x.publishOut += queues;
    if (queues > 0) return;
    if (mandatory) this.returnUnroutable++;
    else this.dropUnroutable++;
  }
}
