/**
 * One vhost's side of the store: what the vhost and its queues report
 * (declared, deleted, bound; a message added, delivered, removed) turned
 * into store changes. Only what survives a restart is written: durable
 * exchanges, durable non-exclusive queues, bindings between durable ends,
 * and persistent messages (delivery mode 2) in durable queues.
 */
import type { Binding, Exchange } from "./exchange.ts";
import type { SyncTicket } from "./publisher_confirms.ts";
import type { QueuedMessage } from "./message.ts";
import type { Queue } from "./queue.ts";
import type { Store } from "./store.ts";
import {
  type BindingDefinition,
  definitionKey,
  type ExchangeDefinition,
  type QueueDefinition,
  tableToText,
} from "./store_codec.ts";
import type { TopologyJournal } from "./vhost_types.ts";

/** Definition kinds of the topology. */
export const EXCHANGE = "exchange", QUEUE = "queue", BINDING = "binding";

export class VhostJournal implements TopologyJournal {
  /** Binding ids (source + id) saved, so removing a transient one writes nothing. */
  readonly #bindings = new Set<string>();

  constructor(readonly store: Store, readonly vhost: string) {}

  // --- messages ---------------------------------------------------------------

  added(queue: string, entry: QueuedMessage): void {
    if (entry.message.properties.deliveryMode !== 2) return;
    this.store.addMessage(this.vhost, queue, entry);
  }

  delivered(entry: QueuedMessage): void {
    if (!entry.storeDelivered) this.store.markDelivered(entry);
  }

  removed(entries: readonly QueuedMessage[]): void {
    for (const e of entries) {
      if (e.storeId === undefined) continue;
      this.store.removeMessage(e.storeId);
      e.storeId = undefined;
    }
  }

  // --- topology ---------------------------------------------------------------

  exchangeSaved(x: Exchange): void {
    if (!x.options.durable) return;
    const { autoDelete, internal } = x.options;
    const def: ExchangeDefinition = {
      vhost: this.vhost,
      name: x.name,
      type: x.type,
      autoDelete,
      internal,
      arguments: tableToText(x.options.arguments),
    };
    this.store.saveDefinition(EXCHANGE, definitionKey(this.vhost, x.name), def);
  }

  exchangeDeleted(x: Exchange): void {
    if (x.options.durable) this.store.deleteDefinition(EXCHANGE, definitionKey(this.vhost, x.name));
  }

  queueSaved(q: Queue): void {
    if (!q.options.durable || q.options.exclusiveOwner !== undefined) return;
    const def: QueueDefinition = {
      vhost: this.vhost,
      name: q.name,
      autoDelete: q.options.autoDelete,
      arguments: tableToText(q.options.arguments),
    };
    this.store.saveDefinition(QUEUE, definitionKey(this.vhost, q.name), def);
  }

  queueDeleted(q: Queue): void {
    if (!q.options.durable || q.options.exclusiveOwner !== undefined) return;
    this.store.deleteDefinition(QUEUE, definitionKey(this.vhost, q.name));
    this.store.dropQueue(this.vhost, q.name);
  }

  bindingSaved(b: Binding): void {
    const key = definitionKey(this.vhost, b.source, b.id);
    this.#bindings.add(key);
    const def: BindingDefinition = {
      vhost: this.vhost,
      source: b.source,
      kind: b.kind,
      destination: b.name,
      routingKey: b.routingKey,
      arguments: tableToText(b.arguments),
    };
    this.store.saveDefinition(BINDING, key, def);
  }

  bindingDeleted(b: Binding): void {
    const key = definitionKey(this.vhost, b.source, b.id);
    if (this.#bindings.delete(key)) this.store.deleteDefinition(BINDING, key);
  }

  // --- SyncGate ---------------------------------------------------------------

  takeTicket(): SyncTicket | undefined {
    return this.store.takeTicket();
  }
}
