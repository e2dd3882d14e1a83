/**
 * Start-up recovery: the store's durable exchanges, queues and bindings are
 * declared again, then each durable queue gets its persistent messages back
 * in their order, the ones delivered before (and not acked) marked
 * redelivered, as RabbitMQ's classic queues do. Nothing is written while it
 * runs (`store.recovering`); what no longer fits (a message whose queue is
 * gone, a binding missing an end) is dropped afterwards.
 */
import { errorMessage } from "../util/error_message.ts";
import type { RestoredMessage } from "./queue_journal.ts";
import type { Store, StoredMessage } from "./store.ts";
import {
  type BindingDefinition,
  decodeProperties,
  type ExchangeDefinition,
  type QueueDefinition,
  tableFromText,
} from "./store_codec.ts";
import { BINDING, EXCHANGE, QUEUE } from "./store_journal.ts";
import { storeError } from "./store_schema.ts";
import type { Vhost } from "./vhost.ts";

export interface RecoveryReport {
  exchanges: number;
  queues: number;
  bindings: number;
  messages: number;
  ms: number;
}

/** Restored per call to `queue.restore` (bounds the array held at once). */
const CHUNK = 10_000;

/** Rebuilds what the store holds; `vhostFor` gives (or creates) a vhost. Throws StoreError. */
export function recoverFromStore(
  store: Store,
  vhostFor: (name: string) => Vhost,
  log: (line: string) => void,
  now: () => number = () => performance.now(),
): RecoveryReport {
  const start = now();
  const report = { exchanges: 0, queues: 0, bindings: 0, messages: 0, ms: 0 };
  const stale: (() => void)[] = [];
  const each = <T>(kind: string, fn: (d: T) => void, counted: keyof typeof report) => {
    for (const { key, value } of store.loadDefinitions(kind)) {
      try {
        fn(value as T);
        report[counted]++;
      } catch (e) {
        log(`recovery: ${kind} ${key} skipped: ${errorMessage(e)}`);
        stale.push(() => store.deleteDefinition(kind, key));
      }
    }
  };
  store.recovering = true;
  try {
    each<ExchangeDefinition>(EXCHANGE, (d) => {
      const { name, type, autoDelete, internal } = d;
      const args = tableFromText(d.arguments);
      vhostFor(d.vhost).declareExchange(name, type, {
        durable: true,
        autoDelete,
        internal,
        arguments: args,
      });
    }, "exchanges");
    each<QueueDefinition>(QUEUE, (d) => {
      const args = tableFromText(d.arguments);
      const opts = { durable: true, autoDelete: d.autoDelete, arguments: args };
      vhostFor(d.vhost).declareQueue(d.name, opts, undefined);
    }, "queues");
    each<BindingDefinition>(BINDING, (d) => {
      const v = vhostFor(d.vhost);
      const key = { routingKey: d.routingKey, arguments: tableFromText(d.arguments) };
      if (d.kind === "queue") v.bindQueue({ queue: d.destination, exchange: d.source, ...key }, {});
      else v.bindExchange({ destination: d.destination, source: d.source, ...key });
    }, "bindings");
    report.messages = restoreMessages(store, vhostFor, stale);
  } catch (e) {
    throw storeError(store.file, e);
  } finally {
    store.recovering = false;
  }
  for (const drop of stale) drop();
  report.ms = now() - start;
  return report;
}

function restoreMessages(
  store: Store,
  vhostFor: (name: string) => Vhost,
  stale: (() => void)[],
): number {
  let count = 0;
  let list: RestoredMessage[] = [];
  let at: { vhost: string; queue: string } | undefined;
  const flush = () => {
    if (!at || list.length === 0) return;
    const q = vhostFor(at.vhost).queues.get(at.queue);
    if (q && q.options.durable) {
      q.restore(list);
      count += list.length;
    } else {
      const { vhost, queue } = at;
      stale.push(() => store.dropQueue(vhost, queue));
    }
    list = [];
  };
  for (const row of store.messages() as Iterable<StoredMessage>) {
    if (!at || row.vhost !== at.vhost || row.queue !== at.queue) {
      flush();
      at = { vhost: row.vhost, queue: row.queue };
    }
    list.push({
      message: {
        exchange: row.exchange,
        routingKey: row.routing_key,
        properties: decodeProperties(row.properties),
        body: row.body,
      },
      expiresAt: row.expires_at ?? Infinity,
      redelivered: row.delivered === 1,
      storeId: row.id,
    });
    if (list.length >= CHUNK) flush();
  }
  flush();
  return count;
}

/** The start-up line: `recovered 3 queues, 12034 messages in 0.4 s (...)`. */
export function describeRecovery(r: RecoveryReport, file: string): string {
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  return `recovered ${plural(r.queues, "queue")}, ${plural(r.messages, "message")} in ${
    (r.ms / 1000).toFixed(1)
  } s (${plural(r.exchanges, "exchange")}, ${plural(r.bindings, "binding")}; ${file})`;
}
