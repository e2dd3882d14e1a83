/**
 * The broker's durable store: durable topology, users, vhosts and
 * permissions as definitions (kind, key, JSON), and the persistent messages
 * of durable queues, in one SQLite database in the data dir
 * (store_schema.ts).
 *
 * Writes are grouped: every change is appended to the open batch, and one
 * transaction commits the batch `commitWindowMs` after its first change, or
 * at once when it reaches MAX_BATCH_OPS changes or MAX_BATCH_BYTES of
 * bodies (so one commit never stalls the event loop for long). With
 * synchronous=FULL in WAL mode each COMMIT returns once the WAL is fsynced,
 * so a publish's `SyncTicket` (its publisher confirm) is done only once its
 * messages are on disk. A message removed before its batch commits (acked by
 * a fast consumer) is never written, and its confirm need not wait: what
 * RabbitMQ does too.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { errorMessage } from "../util/error_message.ts";
import type { QueuedMessage } from "./message.ts";
import type { SyncGate, SyncTicket } from "./publisher_confirms.ts";
import { encodeProperties } from "./store_codec.ts";
import { openStoreDatabase } from "./store_schema.ts";
import { type BrokerTimers, realTimers } from "./timers.ts";

/** Changes per transaction at most: about 5 ms of work for 64-byte messages. */
export const MAX_BATCH_OPS = 1000;
/** Body bytes per transaction at most. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface StoreOptions {
  dir: string;
  /** How long a batch stays open after its first change (ms; default 1). */
  commitWindowMs?: number;
  timers?: BrokerTimers;
  log?: (line: string) => void;
}

/** A stored message as recovery reads it. */
export interface StoredMessage {
  id: number;
  vhost: string;
  queue: string;
  delivered: number;
  expires_at: number | null;
  exchange: string;
  routing_key: string;
  properties: Uint8Array;
  body: Uint8Array;
}

interface Ticket extends SyncTicket {
  open: number;
  failed: boolean;
}

interface Insert {
  kind: "insert";
  id: number;
  vhost: string;
  queue: string;
  entry: QueuedMessage;
  cancelled: boolean;
  ticket: Ticket;
}

/** A ticket's write is synced or cancelled: tell its waiter when it was the last one. */
function settle(t: Ticket, failed: boolean): void {
  if (failed) t.failed = true;
  if (--t.open > 0) return;
  const done = t.onDone;
  t.onDone = undefined;
  done?.();
}

type Op =
  | Insert
  | { kind: "delivered" | "delete"; id: number }
  | { kind: "drop-queue"; vhost: string; queue: string }
  | { kind: "define"; what: string; key: string; value: string | undefined };

interface Statements {
  insert: StatementSync;
  delivered: StatementSync;
  delete: StatementSync;
  dropQueue: StatementSync;
  define: StatementSync;
  undefine: StatementSync;
}

export class Store implements SyncGate {
  readonly file: string;
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  readonly #timers: BrokerTimers;
  readonly #log: (line: string) => void;
  readonly #windowMs: number;
  #ops: Op[] = [];
  #inserts = new Map<number, Insert>();
  #bytes = 0;
  #timer: unknown;
  /** The writes of the publish being routed (taken by its confirm). */
  #ticket: Ticket | undefined;
  #nextId: number;
  #closed = false;
  /** While true (start-up recovery), changes are not written: they come from the store. */
  recovering = false;

  /** Opens the data dir; throws StoreError (one line, naming the file). */
  constructor(opts: StoreOptions) {
    const { db, file } = openStoreDatabase(opts.dir);
    this.#db = db;
    this.file = file;
    this.#timers = opts.timers ?? realTimers;
    this.#log = opts.log ?? (() => {});
    this.#windowMs = opts.commitWindowMs ?? 1;
    this.#sql = {
      insert: db.prepare(
        "INSERT INTO messages (id, vhost, queue, delivered, expires_at, exchange, routing_key, properties, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      delivered: db.prepare("UPDATE messages SET delivered = 1 WHERE id = ?"),
      delete: db.prepare("DELETE FROM messages WHERE id = ?"),
      dropQueue: db.prepare("DELETE FROM messages WHERE vhost = ? AND queue = ?"),
      define: db.prepare("INSERT OR REPLACE INTO definitions (kind, key, value) VALUES (?, ?, ?)"),
      undefine: db.prepare("DELETE FROM definitions WHERE kind = ? AND key = ?"),
    };
    const max = db.prepare("SELECT max(id) AS id FROM messages").get() as { id: number | null };
    this.#nextId = (max.id ?? 0) + 1;
  }

  // --- messages ---------------------------------------------------------------

  /** Keeps a message of a durable queue; sets its `storeId`. */
  addMessage(vhost: string, queue: string, entry: QueuedMessage): void {
    if (this.recovering || this.#closed) return;
    const id = this.#nextId++;
    entry.storeId = id;
    const ticket = this.#ticket ??= { open: 0, failed: false, onDone: undefined };
    ticket.open++;
    const op: Insert = { kind: "insert", id, vhost, queue, entry, cancelled: false, ticket };
    this.#inserts.set(id, op);
    this.#bytes += entry.message.body.length;
    this.#push(op);
  }

  /** The message went out to a client (after a crash it comes back redelivered). */
  markDelivered(entry: QueuedMessage): void {
    entry.storeDelivered = true;
    if (this.#inserts.has(entry.storeId!)) return; // written with the flag
    this.#push({ kind: "delivered", id: entry.storeId! });
  }

  /** The message is gone for good; never written when its insert has not been. */
  removeMessage(id: number): void {
    const pending = this.#inserts.get(id);
    if (pending) {
      pending.cancelled = true;
      this.#inserts.delete(id);
      this.#bytes -= pending.entry.message.body.length;
      settle(pending.ticket, false);
      return;
    }
    this.#push({ kind: "delete", id });
  }

  /** Every message of a queue goes (the queue was deleted). */
  dropQueue(vhost: string, queue: string): void {
    this.#push({ kind: "drop-queue", vhost, queue });
  }

  /** Stored messages in queue order (recovery), read lazily. */
  messages(): Iterable<StoredMessage> {
    return this.#db.prepare(
      "SELECT id, vhost, queue, delivered, expires_at, exchange, routing_key, properties, body FROM messages ORDER BY vhost, queue, id",
    ).iterate() as Iterable<StoredMessage>;
  }

  // --- definitions (topology now; users, vhosts, permissions to come) --------

  /** Saves (or replaces) a definition: `kind` such as "queue", "user"; `value` any JSON. */
  saveDefinition(kind: string, key: string, value: unknown): void {
    this.#push({ kind: "define", what: kind, key, value: JSON.stringify(value) });
  }

  deleteDefinition(kind: string, key: string): void {
    this.#push({ kind: "define", what: kind, key, value: undefined });
  }

  /** Every committed definition of a kind (commit() first to include pending ones). */
  loadDefinitions(kind: string): { key: string; value: unknown }[] {
    const rows = this.#db.prepare("SELECT key, value FROM definitions WHERE kind = ? ORDER BY key")
      .all(kind) as { key: string; value: string }[];
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) }));
  }

  // --- SyncGate ---------------------------------------------------------------

  takeTicket(): SyncTicket | undefined {
    const t = this.#ticket;
    this.#ticket = undefined;
    return t && t.open > 0 ? t : undefined;
  }

  // --- commits ----------------------------------------------------------------

  #push(op: Op): void {
    if (this.recovering || this.#closed) return;
    this.#ops.push(op);
    if (this.#ops.length >= MAX_BATCH_OPS || this.#bytes >= MAX_BATCH_BYTES) this.commit();
    else if (this.#timer === undefined) {
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = undefined;
        this.commit();
      }, this.#windowMs);
    }
  }

  /** Commits the open batch now (one transaction, synced), then settles its tickets. */
  commit(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    const ops = this.#ops;
    this.#ops = [];
    this.#inserts = new Map();
    this.#bytes = 0;
    let failed = false;
    if (ops.some((op) => op.kind !== "insert" || !op.cancelled)) {
      try {
        this.#write(ops);
      } catch (e) {
        failed = true;
        this.#log(`store: commit to ${this.file} failed: ${errorMessage(e)}`);
      }
    }
    for (const op of ops) if (op.kind === "insert" && !op.cancelled) settle(op.ticket, failed);
  }

  #write(ops: Op[]): void {
    const sql = this.#sql;
    this.#db.exec("BEGIN");
    try {
      for (const op of ops) {
        switch (op.kind) {
          case "insert": {
            if (op.cancelled) break;
            const { entry } = op;
            const m = entry.message;
            sql.insert.run(
              op.id,
              op.vhost,
              op.queue,
              entry.storeDelivered ? 1 : 0,
              entry.expiresAt === Infinity ? null : entry.expiresAt,
              m.exchange,
              m.routingKey,
              encodeProperties(m.properties),
              m.body,
            );
            break;
          }
          case "delivered":
            sql.delivered.run(op.id);
            break;
          case "delete":
            sql.delete.run(op.id);
            break;
          case "drop-queue":
            sql.dropQueue.run(op.vhost, op.queue);
            break;
          case "define":
            if (op.value === undefined) sql.undefine.run(op.what, op.key);
            else sql.define.run(op.what, op.key, op.value);
        }
      }
      this.#db.exec("COMMIT");
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  /** Commits what is pending and closes the database (its lock goes with it). */
  close(): void {
    if (this.#closed) return;
    this.commit();
    this.#closed = true;
    this.#db.close();
  }
}
