/**
 * The common base of every exchange type. An exchange holds its bindings and
 * answers one question: given a routing key and headers, which destinations
 * (queues or, for exchange-to-exchange bindings, other exchanges) get the
 * message. Each type lives in its own small file and keeps whatever index
 * makes its `route()` fast.
 */
import type { FieldTable } from "../amqp/field_table.ts";

export type DestinationKind = "queue" | "exchange";

export interface Destination {
  readonly kind: DestinationKind;
  readonly name: string;
}

export interface Binding extends Destination {
  readonly source: string;
  readonly routingKey: string;
  readonly arguments: FieldTable;
  /** Identity: two binds with the same id are one binding (as in RabbitMQ). */
  readonly id: string;
}

export interface ExchangeOptions {
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

/** A canonical string for a field table (sorted keys), used in binding identity. */
export function canonicalTable(t: FieldTable): string {
  return JSON.stringify(t, (_key, value) => {
    if (typeof value === "bigint") return `${value}n`;
    if (value instanceof Uint8Array) return Array.from(value);
    if (value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) {
      return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]));
    }
    return value;
  });
}

/** What, besides source and destination, identifies a binding. */
export interface BindingKey {
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

export function makeBinding(source: string, destination: Destination, key: BindingKey): Binding {
  const { routingKey, arguments: args } = key;
  const id = `${destination.kind}\u0000${destination.name}\u0000${routingKey}\u0000${
    canonicalTable(args)
  }`;
  return {
    source,
    kind: destination.kind,
    name: destination.name,
    routingKey,
    arguments: args,
    id,
  };
}

export abstract class Exchange {
  readonly #bindings = new Map<string, Binding>();
  /** Messages published to it, and copies it routed to queues (management API counters). */
  publishIn = 0;
  publishOut = 0;

  constructor(
    readonly name: string,
    readonly type: string,
    readonly options: ExchangeOptions,
  ) {}

  get bindings(): ReadonlyMap<string, Binding> {
    return this.#bindings;
  }

  /** Adds a binding; returns false when an identical one already exists. */
  addBinding(binding: Binding): boolean {
    if (this.#bindings.has(binding.id)) return false;
    this.#bindings.set(binding.id, binding);
    this.indexAdd(binding);
    return true;
  }

  /** Removes a binding by identity; returns false when there was none. */
  removeBinding(id: string): Binding | undefined {
    const binding = this.#bindings.get(id);
    if (!binding) return undefined;
    this.#bindings.delete(id);
    this.indexRemove(binding);
    return binding;
  }

  /** Destinations for a message (may repeat one; the vhost removes duplicates). */
  abstract route(routingKey: string, headers: FieldTable | undefined): Iterable<Destination>;

  protected abstract indexAdd(binding: Binding): void;
  protected abstract indexRemove(binding: Binding): void;
}
