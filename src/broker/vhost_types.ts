/**
 * The vhost's request and option shapes (declare, bind, events), the
 * built-in exchanges and server-generated names: what vhost.ts works on,
 * kept apart so the vhost itself holds only the operations.
 */
import type { FieldTable } from "../amqp/field_table.ts";
import type { Binding, BindingKey, Exchange } from "./exchange.ts";
import type { SyncGate } from "./publisher_confirms.ts";
import type { MemoryAccount, Queue } from "./queue.ts";
import type { QueueJournal } from "./queue_journal.ts";
import type { BrokerTimers } from "./timers.ts";

/**
 * Keeps a vhost's durable topology and its durable queues' persistent
 * messages (the store: store_journal.ts); the vhost says what is durable.
 */
export interface TopologyJournal extends QueueJournal, SyncGate {
  exchangeSaved(x: Exchange): void;
  exchangeDeleted(x: Exchange): void;
  queueSaved(q: Queue): void;
  /** The queue and every message it kept go. */
  queueDeleted(q: Queue): void;
  bindingSaved(b: Binding): void;
  /** Forgets a binding (a no-op for one never saved). */
  bindingDeleted(b: Binding): void;
}

export interface ExchangeDeclare {
  passive?: boolean;
  durable?: boolean;
  autoDelete?: boolean;
  internal?: boolean;
  arguments?: FieldTable;
}

export interface QueueDeclare {
  passive?: boolean;
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  arguments?: FieldTable;
}

export interface QueueDeclareOk {
  queue: Queue;
  messageCount: number;
  consumerCount: number;
}

/** What a vhost runs on; everything defaults to the real thing or to nothing. */
export interface VhostOptions {
  /** Timers for TTL and expiry (real ones by default). */
  timers?: BrokerTimers;
  /** Counts the bytes its queues hold, for the broker's memory alarm. */
  memory?: MemoryAccount;
  /** The broker's log (silent by default). */
  log?: (line: string) => void;
  /** Keeps durable topology and persistent messages (none: nothing is kept). */
  journal?: TopologyJournal;
}

/** A queue binding as queue.bind / queue.unbind name it; key and arguments default to empty. */
export interface QueueBinding {
  queue: string;
  exchange: string;
  routingKey?: string;
  arguments?: FieldTable;
}

/** An exchange-to-exchange binding as exchange.bind / exchange.unbind name it. */
export interface ExchangeBinding {
  destination: string;
  source: string;
  routingKey?: string;
  arguments?: FieldTable;
}

/** A binding's key from a bind/unbind request: routing key and arguments default to empty. */
export function bindingKey(b: QueueBinding | ExchangeBinding): BindingKey {
  return { routingKey: b.routingKey ?? "", arguments: b.arguments ?? {} };
}

/** Observers of entity life cycle (the channel uses it for cancel notifications). */
export interface VhostEvents {
  queueDeleted?(queue: Queue): void;
}

export const BUILTIN_EXCHANGES: [string, string][] = [
  ["amq.direct", "direct"],
  ["amq.fanout", "fanout"],
  ["amq.topic", "topic"],
  ["amq.headers", "headers"],
  ["amq.match", "headers"],
];

/** 22 characters of URL-safe base64 from 16 random bytes, like RabbitMQ's `amq.gen-` names. */
export function randomName(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const b64 = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  return prefix + b64;
}
