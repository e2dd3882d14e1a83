/**
 * A published message as the broker stores it. The same `Message` object is
 * shared by every queue it was routed to (it is never mutated); each queue
 * wraps it in its own `QueuedMessage` with per-queue state.
 */
import type { BasicProperties } from "../amqp/properties.ts";

export type { BasicProperties };

export interface Message {
  /** Exchange it was published to (as the client named it). */
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: BasicProperties;
  readonly body: Uint8Array;
}

/** A message sitting in one queue (ready or delivered and unacknowledged). */
export interface QueuedMessage {
  readonly message: Message;
  /** Enqueue order within its queue; requeued messages go back to their place. */
  readonly seq: number;
  /** Absolute expiry time (ms, broker clock) or Infinity. */
  readonly expiresAt: number;
  readonly priority: number;
  redelivered: boolean;
  /** Its row in the store, when a durable queue keeps it (persistent message). */
  storeId?: number;
  /** The store already knows it went out (so a crash brings it back redelivered). */
  storeDelivered?: boolean;
}

/**
 * Parses the `expiration` property: a string holding a non-negative integer
 * of milliseconds. Returns undefined when absent, or throws a RangeError with
 * RabbitMQ's wording when malformed.
 */
export function parseExpiration(expiration: string | undefined): number | undefined {
  if (expiration === undefined) return undefined;
  if (!/^\d+$/.test(expiration)) {
    throw new RangeError(`invalid expiration '${expiration}': no_integer`);
  }
  return Number(expiration);
}

/** Size counted against x-max-length-bytes (the body, as RabbitMQ counts it). */
export function messageBytes(m: Message): number {
  return m.body.length;
}
