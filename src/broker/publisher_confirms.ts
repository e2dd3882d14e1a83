/**
 * Publisher confirms (confirm.select) on one channel: every publish gets the
 * next sequence number, and the broker answers basic.ack (routed, or nowhere
 * to route) or basic.nack (a queue refused it: reject-publish overflow).
 *
 * Confirms are coalesced: everything confirmed in one turn of the event loop
 * goes out together, and a run of acks becomes one `multiple` ack, as
 * RabbitMQ does, so a fast publisher costs one frame per batch, not per message.
 */
import type { MethodArgsInput } from "../amqp/mod.ts";

export interface ConfirmSink {
  /** Whether the channel is still open (confirms for a closed channel are dropped). */
  isOpen(): boolean;
  send<N extends "basic.ack" | "basic.nack">(method: N, args: MethodArgsInput<N>): void;
}

export class PublisherConfirms {
  #seq = 0;
  #pending: { seq: number; ok: boolean }[] = [];
  #flushScheduled = false;

  constructor(readonly sink: ConfirmSink) {}

  /** The sequence number of the next publish (counted from 1). */
  nextSeq(): number {
    return ++this.#seq;
  }

  confirm(seq: number, ok: boolean): void {
    this.#pending.push({ seq, ok });
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    const list = this.#pending;
    this.#pending = [];
    if (!this.sink.isOpen()) return;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (!c.ok) {
        this.sink.send("basic.nack", { deliveryTag: c.seq, multiple: false, requeue: false });
        continue;
      }
      const next = list[i + 1];
      if (next && next.ok) continue; // part of a run of acks: the last one covers it
      const runStart = list.findLastIndex((x, j) => j < i && !x.ok) + 1;
      this.sink.send("basic.ack", { deliveryTag: c.seq, multiple: i > runStart });
    }
  }
}
