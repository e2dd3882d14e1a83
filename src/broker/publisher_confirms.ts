/**
 * Publisher confirms (confirm.select) on one channel: every publish gets the
 * next sequence number, and the broker answers basic.ack (routed, or nowhere
 * to route) or basic.nack (a queue refused it: reject-publish overflow).
 *
 * With a durable store, a confirm waits until what its publish wrote (a
 * persistent message in a durable queue) is synced to disk, or acked before
 * it had to be: its `SyncTicket`. Confirms leave in order, so one that waits
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

/**
 * What one publish wrote to the durable store (store.ts): it is safe once
 * every write is synced to disk, or cancelled because the message was acked
 * (or otherwise removed) before its commit, as RabbitMQ confirms.
 */
export interface SyncTicket {
  /** Writes neither synced nor cancelled yet. */
  readonly open: number;
  /** A commit holding one of its writes failed: the publish is nacked. */
  readonly failed: boolean;
  /** Called once, when `open` reaches 0. */
  onDone: (() => void) | undefined;
}

/** The durable store, as publisher confirms see it. */
export interface SyncGate {
  /** The writes since the last call as one ticket; undefined when there were none. */
  takeTicket(): SyncTicket | undefined;
}

/** Runs `fn` once what was written since the last ticket is on disk (at once when nothing was). */
export function whenKept(gate: SyncGate | undefined, fn: () => void): void {
  const ticket = gate?.takeTicket();
  if (ticket) ticket.onDone = fn;
  else fn();
}

interface Pending {
  seq: number;
  ok: boolean;
  ticket: SyncTicket | undefined;
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
    this.#pending.push({ seq, ok, ticket: this.gate?.takeTicket() });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  /** The confirms from the first one still waiting for the disk on. */
  #holdBack(): Pending[] {
    const list = this.#pending;
    const i = list.findIndex((p) => p.ticket !== undefined && p.ticket.open > 0);
    for (let j = 0; j < (i < 0 ? list.length : i); j++) {
      if (list[j]!.ticket?.failed) list[j]!.ok = false;
    }
    if (i < 0) return [];
    const held = list.splice(i);
    if (!this.#waiting) {
      this.#waiting = true;
      held[0]!.ticket!.onDone = () => {
        this.#waiting = false;
        this.#schedule();
      };
    }
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
