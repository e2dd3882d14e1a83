/**
 * Publisher confirms (confirm.select) on one channel: every publish gets the
 * next sequence number, and the broker answers basic.ack (routed, or nowhere
 * to route) or basic.nack (a queue refused it: reject-publish overflow).
 *
 * With a durable store, a confirm waits until what its publish wrote (a
 * persistent message in a durable queue) is committed and synced: `SyncGate`
 * says which commit that is. Confirms leave in order, so one that waits
 * holds back the ones after it (a `multiple` ack must not cover it).
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

/** Group commits of the durable store (store.ts), numbered from 1. */
export interface SyncGate {
  /** The commit that will hold the latest write (0: nothing written yet). */
  readonly lastWriteBatch: number;
  /** The latest commit that is on disk (or failed). */
  readonly syncedBatch: number;
  /** Calls `fn` once commit `batch` is synced or has failed. */
  whenSynced(batch: number, fn: () => void): void;
  /** Whether that commit failed (what waited on it is not kept: nacked). */
  failed(batch: number): boolean;
}

interface Pending {
  seq: number;
  ok: boolean;
  /** The commit it waits for (0: none). */
  batch: number;
}

export class PublisherConfirms {
  #seq = 0;
  #pending: Pending[] = [];
  #flushScheduled = false;
  #waiting = false;

  constructor(readonly sink: ConfirmSink, readonly gate?: SyncGate) {}

  /** The sequence number of the next publish (counted from 1). */
  nextSeq(): number {
    return ++this.#seq;
  }

  confirm(seq: number, ok: boolean): void {
    const gate = this.gate;
    const batch = gate && gate.lastWriteBatch > gate.syncedBatch ? gate.lastWriteBatch : 0;
    this.#pending.push({ seq, ok, batch });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  /** The confirms from the first one still waiting for its commit on. */
  #holdBack(): Pending[] {
    const gate = this.gate;
    const list = this.#pending;
    if (!gate) return [];
    const synced = gate.syncedBatch;
    const i = list.findIndex((p) => p.batch > synced);
    if (i < 0) return [];
    const held = list.splice(i);
    if (!this.#waiting) {
      this.#waiting = true;
      gate.whenSynced(held[0]!.batch, () => {
        this.#waiting = false;
        this.#schedule();
      });
    }
    for (const p of list) if (p.batch > 0 && gate.failed(p.batch)) p.ok = false;
    return held;
  }

  #flush(): void {
    this.#flushScheduled = false;
    const held = this.#holdBack();
    const list = this.#pending;
    this.#pending = held;
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
