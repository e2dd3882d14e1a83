/**
 * A channel's open transaction (tx.select): publishes and settlements are
 * recorded, not applied, until tx.commit applies them in order or
 * tx.rollback forgets them. The channel does the applying; this keeps the
 * log and the bookkeeping of what the log holds back.
 */
import type { Message } from "./message.ts";
import type { SettleAction, Unacked } from "./unacked_store.ts";

export type TxOp =
  | { kind: "publish"; message: Message; mandatory: boolean }
  | { kind: "settle"; items: Unacked[]; action: SettleAction };

export class ChannelTransaction {
  #ops: TxOp[] = [];
  #settled = 0;

  /**
   * Deliveries settled inside the transaction. They left the unacked store (a
   * second ack of the tag is 406) but, as in RabbitMQ, still hold their
   * prefetch slots until commit, and are requeued if the channel closes first.
   */
  get settledCount(): number {
    return this.#settled;
  }

  publish(message: Message, mandatory: boolean): void {
    this.#ops.push({ kind: "publish", message, mandatory });
  }

  settle(items: Unacked[], action: SettleAction): void {
    this.#ops.push({ kind: "settle", items, action });
    this.#settled += items.length;
  }

  /** Ends this round (commit or rollback): returns the log and starts an empty one. */
  take(): TxOp[] {
    const ops = this.#ops;
    this.#ops = [];
    this.#settled = 0;
    return ops;
  }
}

/** The deliveries a transaction log settled: unacknowledged again if it never commits. */
export function settledIn(ops: readonly TxOp[]): Unacked[] {
  const out: Unacked[] = [];
  for (const op of ops) if (op.kind === "settle") out.push(...op.items);
  return out;
}
