/**
 * Dead-lettering: the message a queue republishes to its
 * x-dead-letter-exchange, with the `x-death` header as RabbitMQ 3.x writes it
 * (most recent death first; one entry per (queue, reason), whose `count` goes
 * up on repeats) and the `x-first-death-*` headers set once.
 */
import { type FieldTable, fieldValue } from "../amqp/field_table.ts";
import type { Message } from "./message.ts";

export type DeathReason = "expired" | "maxlen" | "rejected";

export interface DeadLetterOptions {
  queue: string;
  reason: DeathReason;
  /** The queue's x-dead-letter-exchange. */
  exchange: string;
  /** The queue's x-dead-letter-routing-key (else the message's own key). */
  routingKey?: string;
  /** Wall-clock time of death, ms since the epoch. */
  now: number;
}

function asTables(v: unknown): FieldTable[] {
  if (!Array.isArray(v)) return [];
  return v.filter((t): t is FieldTable =>
    typeof t === "object" && t !== null && !Array.isArray(t) && !(t instanceof Uint8Array)
  );
}

function countOf(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v && typeof v === "object" && "value" in v) return countOf((v as { value: unknown }).value);
  return 0;
}

/** The message as it is republished to the dead-letter exchange. */
export function deadLetterMessage(message: Message, opts: DeadLetterOptions): Message {
  const { expiration, ...properties } = message.properties;
  const headers: FieldTable = { ...(properties.headers ?? {}) };
  const deaths = asTables(headers["x-death"]);
  const index = deaths.findIndex((d) => d["queue"] === opts.queue && d["reason"] === opts.reason);
  const previous = index >= 0 ? countOf(deaths[index]!["count"]) : 0;
  if (index >= 0) deaths.splice(index, 1);
  const death: FieldTable = {
    count: fieldValue("l", previous + 1),
    reason: opts.reason,
    queue: opts.queue,
    time: new Date(Math.floor(opts.now / 1000) * 1000),
    exchange: message.exchange,
    "routing-keys": [message.routingKey],
  };
  if (expiration !== undefined) death["original-expiration"] = expiration;
  // RabbitMQ writes the first entry in the order above, but entries added to
  // an existing x-death with their keys sorted; mirror it so dumps compare equal.
  const entry = deaths.length === 0 && index < 0 ? death : Object.fromEntries(
    Object.keys(death).sort().map((k) => [k, death[k]]),
  );
  headers["x-death"] = [entry, ...deaths];
  if (!Object.hasOwn(headers, "x-first-death-reason")) {
    headers["x-first-death-exchange"] = message.exchange;
    headers["x-first-death-queue"] = opts.queue;
    headers["x-first-death-reason"] = opts.reason;
  }
  return {
    exchange: opts.exchange,
    routingKey: opts.routingKey ?? message.routingKey,
    properties: { ...properties, headers },
    body: message.body,
  };
}

/**
 * Whether delivering a dead-lettered message to `queue` would be a cycle that
 * RabbitMQ drops: the message already died in `queue` and no death since then
 * (inclusive) was a client reject.
 */
export function isDeadLetterCycle(message: Message, queue: string): boolean {
  const deaths = asTables(message.properties.headers?.["x-death"]);
  for (const d of deaths) {
    if (d["reason"] === "rejected") return false;
    if (d["queue"] === queue) return true;
  }
  return false;
}
