/**
 * What a durable queue tells the store about its messages (implemented by
 * store_journal.ts), and what the store gives back at start-up.
 */
import type { Message, QueuedMessage } from "./message.ts";

/**
 * Where a durable queue's persistent messages are kept (the store:
 * store_journal.ts). Entries it keeps carry a `storeId`.
 */
export interface QueueJournal {
  /** A message entered the queue: kept when persistent. */
  added(queue: string, entry: QueuedMessage): void;
  /** A kept message went out with an ack to wait for (after a crash it comes back redelivered). */
  delivered(entry: QueuedMessage): void;
  /** Messages left the queue for good (acked, dropped, expired, purged). */
  removed(entries: readonly QueuedMessage[]): void;
}

/** A message read back from the store at start-up. */
export interface RestoredMessage {
  message: Message;
  expiresAt: number;
  redelivered: boolean;
  storeId: number;
}
