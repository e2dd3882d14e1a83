/**
 * The broker's durable store: durable topology, users, vhosts and
 * permissions as definitions (kind, key, JSON), and the persistent messages
 * of durable queues, in one SQLite database in the data dir
 * (store_schema.ts).
 *
 * At start-up the broker's thread opens the database and reads it back
 * (recovery); then `startWriter()` hands it to a writer Worker
 * (store_writer.ts), so the fsync of each commit never stalls the broker.
 * Writes are grouped: every change joins the open batch; a batch is sent
 * `commitWindowMs` after its first change when the writer is idle, else as
 * soon as the batch before it is written (group commit: the batch grows
 * while the disk syncs). With synchronous=FULL in WAL mode a batch is
 * answered once the WAL is fsynced, so a publish's `SyncTicket` (its
 * publisher confirm) is done only once its messages are on disk. A message
 * removed before its batch is sent (acked by a fast consumer) is never
 * written, and its confirm need not wait: what RabbitMQ does too.
 */
import type { DatabaseSync } from "node:sqlite";
import type { QueuedMessage } from "./message.ts";
import type { SyncGate, SyncTicket } from "./publisher_confirms.ts";
import { BatchEncoder, type WriteOp, type WriterCommand, type WriterReply } from "./store_ops.ts";
import { openStoreDatabase, StoreError } from "./store_schema.ts";
import { type BrokerTimers, realTimers } from "./timers.ts";

/** Changes that make a batch go at once instead of at the end of its window. */
export const MAX_BATCH_OPS = 1000;
/** Body bytes that make a batch go at once. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Batches sent and not answered yet: the writer starts the next one as soon
 * as it has synced one, without waiting for the broker thread's turn.
 */
const MAX_IN_FLIGHT = 2;
/**
 * How long the insert of a message already out with a consumer may wait:
 * its ack usually comes first, and then nothing is written at all (its
 * confirm waits for the ack or the write, whichever comes first).
 */
const HOLD_DELIVERED_MS = 10;

export interface StoreOptions {
  dir: string;
  /** How long a batch stays open after its first change while the writer is idle (ms; default 1). */
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

/** An insert not sent yet: cancelled when the message goes first. */
interface Insert {
  k: "new";
  id: number;
  vhost: string;
  queue: string;
  entry: QueuedMessage;
  cancelled: boolean;
  ticket: Ticket;
  /** When it was added (broker clock), and whether it waits among the held ones. */
  at: number;
  held: boolean;
}

type Op = Insert | Exclude<WriteOp, { k: "insert" }>;

/** A ticket's write is synced or cancelled: tell its waiter when it was the last one. */
function settle(t: Ticket, failed: boolean): void {
  if (failed) t.failed = true;
  if (--t.open > 0) return;
  const done = t.onDone;
  t.onDone = undefined;
  done?.();
}

export class Store implements SyncGate {
  readonly file: string;
  readonly #dir: string;
  /** The broker thread's connection, until the writer takes over. */
  #db: DatabaseSync | undefined;
  #writer: Worker | undefined;
  #ready = false;
  #broken = false;
  readonly #timers: BrokerTimers;
  readonly #log: (line: string) => void;
  readonly #windowMs: number;
  #ops: Op[] = [];
  /** Inserts of messages out with a consumer, held back a little (HOLD_DELIVERED_MS). */
  #held: Insert[] = [];
  #draining = false;
  readonly #encoder = new BatchEncoder();
  #inserts = new Map<number, Insert>();
  #bytes = 0;
  #timer: unknown;
  /** Each batch sent and not answered yet, oldest first: its inserts and who waits for it. */
  #inFlight: { inserts: Insert[]; kept: (() => void)[] }[] = [];
  /** Waiting for the changes in `#ops` to be written (`written()`). */
  #keptWaiters: (() => void)[] = [];
  #batch = 0;
  #idle: (() => void)[] = [];
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
    this.#dir = opts.dir;
    this.file = file;
    this.#timers = opts.timers ?? realTimers;
    this.#log = opts.log ?? (() => {});
    this.#windowMs = opts.commitWindowMs ?? 1;
    const max = db.prepare("SELECT max(id) AS id FROM messages").get() as { id: number | null };
    this.#nextId = (max.id ?? 0) + 1;
  }

  #reader(): DatabaseSync {
    if (!this.#db) throw new Error("the store is read only before its writer starts");
    return this.#db;
  }

  /** Stored messages in queue order (recovery), read lazily. */
  messages(): Iterable<StoredMessage> {
    return this.#reader().prepare(
      "SELECT id, vhost, queue, delivered, expires_at, exchange, routing_key, properties, body FROM messages ORDER BY vhost, queue, id",
    ).iterate() as Iterable<StoredMessage>;
  }

  /** Every definition of a kind, as stored at start-up (before `startWriter`). */
  loadDefinitions(kind: string): { key: string; value: unknown }[] {
    const rows = this.#reader().prepare(
      "SELECT key, value FROM definitions WHERE kind = ? ORDER BY key",
    ).all(kind) as { key: string; value: string }[];
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) }));
  }

  /** Hands the database to the writer Worker (after recovery); rejects with a StoreError. */
  async startWriter(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
    const writer = new Worker(new URL("./store_writer.ts", import.meta.url).href, {
      type: "module",
    });
    this.#writer = writer;
    const opened = Promise.withResolvers<void>();
    writer.onmessage = (e: MessageEvent<WriterReply>) => {
      const r = e.data;
      if (r.type === "opened") opened.resolve();
      else if (r.type === "failed") opened.reject(new StoreError(r.error));
      else if (r.type === "written") this.#written(r.error);
      else if (r.type === "closed") this.#onClosed?.();
    };
    writer.onerror = (e) => {
      e.preventDefault();
      this.#log(`store: the writer of ${this.file} stopped: ${e.message}`);
      opened.reject(new StoreError(`${this.file}: ${e.message}`));
      this.#broken = true;
      while (this.#inFlight.length > 0) this.#written(e.message);
    };
    this.#post({ type: "open", dir: this.#dir });
    await opened.promise;
    this.#ready = true;
    this.commit();
  }

  #onClosed: (() => void) | undefined;

  #post(command: WriterCommand): void {
    this.#writer!.postMessage(command);
  }

  // --- messages ---------------------------------------------------------------

  /** Keeps a message of a durable queue; sets its `storeId`. */
  addMessage(vhost: string, queue: string, entry: QueuedMessage): void {
    if (this.recovering || this.#closed) return;
    const id = this.#nextId++;
    entry.storeId = id;
    const ticket = this.#ticket ??= { open: 0, failed: false, onDone: undefined };
    ticket.open++;
    const at = this.#timers.now();
    const op: Insert = {
      k: "new",
      id,
      vhost,
      queue,
      entry,
      cancelled: false,
      ticket,
      at,
      held: false,
    };
    this.#inserts.set(id, op);
    this.#bytes += entry.message.body.length;
    this.#push(op);
  }

  /** The message went out to a client (after a crash it comes back redelivered). */
  markDelivered(entry: QueuedMessage): void {
    entry.storeDelivered = true;
    if (this.#inserts.has(entry.storeId!)) return; // written with the flag
    this.#push({ k: "delivered", id: entry.storeId! });
  }

  /** The message is gone for good; never written when its insert has not been sent. */
  removeMessage(id: number): void {
    const pending = this.#inserts.get(id);
    if (pending) return this.#cancel(pending);
    this.#push({ k: "delete", id });
  }

  #cancel(op: Insert): void {
    op.cancelled = true;
    this.#inserts.delete(op.id);
    if (!op.held) this.#bytes -= op.entry.message.body.length;
    settle(op.ticket, false);
  }

  /** Every message of a queue goes (the queue was deleted); pending ones are never written. */
  dropQueue(vhost: string, queue: string): void {
    for (const op of [...this.#inserts.values()]) {
      if (op.vhost === vhost && op.queue === queue) this.#cancel(op);
    }
    this.#push({ k: "drop-queue", vhost, queue });
  }

  // --- definitions (topology now; users, vhosts, permissions to come) --------

  /** Saves (or replaces) a definition: `kind` such as "queue", "user"; `value` any JSON. */
  saveDefinition(kind: string, key: string, value: unknown): void {
    this.#push({ k: "define", kind, key, value: JSON.stringify(value) });
  }

  deleteDefinition(kind: string, key: string): void {
    this.#push({ k: "define", kind, key, value: null });
  }

  // --- SyncGate ---------------------------------------------------------------

  takeTicket(): SyncTicket | undefined {
    const t = this.#ticket;
    this.#ticket = undefined;
    return t && t.open > 0 ? t : undefined;
  }

  // --- batches ----------------------------------------------------------------

  #push(op: Op): void {
    if (this.recovering || this.#closed) return;
    this.#ops.push(op);
    if (!this.#ready || this.#inFlight.length >= MAX_IN_FLIGHT) return; // goes on an answer
    if (this.#ops.length >= MAX_BATCH_OPS || this.#bytes >= MAX_BATCH_BYTES) this.commit();
    else this.#arm();
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.commit();
    }, this.#windowMs);
  }

  /** Sends the open batch to the writer now, unless it is busy (then it goes next). */
  commit(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#ready || this.#inFlight.length >= MAX_IN_FLIGHT) return;
    const [held, ops, kept] = [this.#held, this.#ops, this.#keptWaiters];
    this.#ops = [];
    this.#keptWaiters = [];
    this.#held = [];
    this.#inserts = new Map();
    this.#bytes = 0;
    const batch = this.#encoder;
    const inserts: Insert[] = [];
    const holdFrom = this.#draining ? -Infinity : this.#timers.now() - HOLD_DELIVERED_MS;
    const take = (op: Insert) => {
      if (op.cancelled) return;
      const { entry } = op;
      if (entry.storeDelivered && op.at > holdFrom) {
        op.held = true;
        this.#held.push(op);
        this.#inserts.set(op.id, op);
        return;
      }
      inserts.push(op);
      const delivered = entry.storeDelivered === true;
      const expiresAt = entry.expiresAt === Infinity ? null : entry.expiresAt;
      batch.insert({ ...op, delivered, expiresAt }, entry.message);
    };
    for (const op of held) take(op);
    for (const op of ops) {
      if (op.k === "new") take(op);
      else batch.other(op);
    }
    if (this.#held.length > 0) this.#arm();
    if (batch.count === 0) {
      for (const resolve of kept) resolve();
      return this.#idleNow();
    }
    const bytes = batch.finish();
    this.#inFlight.push({ inserts, kept });
    if (this.#broken) return this.#written("the writer stopped");
    const transfer = [bytes.buffer as ArrayBuffer];
    this.#writer!.postMessage({ type: "write", batch: ++this.#batch, bytes }, transfer);
  }

  /** The writer answered the batch in flight (`error`: it was not kept). */
  #written(error: string | undefined): void {
    const { inserts, kept } = this.#inFlight.shift() ?? { inserts: [], kept: [] };
    if (error !== undefined && !this.#broken) {
      this.#log(`store: a commit to ${this.file} failed: ${error}`);
    }
    for (const op of inserts) settle(op.ticket, error !== undefined);
    for (const resolve of kept) resolve();
    if (this.#ops.length > 0 || this.#held.length > 0) this.commit();
    else this.#idleNow();
  }

  #idleNow(): void {
    if (this.#ops.length > 0 || this.#held.length > 0 || this.#inFlight.length > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }

  /**
   * Resolves once the changes made so far (message inserts held back for an
   * ack excepted) are committed and synced, or failed (the failure is
   * logged): how a user or vhost change is on disk before it is answered.
   * Unlike `flush()`, later changes do not hold it up.
   */
  written(): Promise<void> {
    if (!this.#ready || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      if (this.#ops.length > 0) this.#keptWaiters.push(resolve);
      else if (this.#inFlight.length > 0) this.#inFlight.at(-1)!.kept.push(resolve);
      else resolve();
    });
  }

  /** Resolves once everything changed so far is written (or failed). */
  flush(): Promise<void> {
    if (!this.#ready) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.commit();
    this.#idleNow();
    return done;
  }

  /** Writes what is pending and closes the database (its lock goes with it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#draining = true; // nothing held back any more
    await this.flush();
    this.#closed = true;
    this.#db?.close();
    this.#db = undefined;
    const writer = this.#writer;
    if (!writer) return;
    const closed = new Promise<void>((resolve) => this.#onClosed = resolve);
    if (!this.#broken) {
      this.#post({ type: "close" });
      await closed;
    }
    writer.terminate();
  }
}
