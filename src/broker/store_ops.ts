/**
 * The store's changes as they cross to its writer Worker: one batch is one
 * byte buffer (transferred, not cloned: a structured clone of thousands of
 * small objects cost the broker's thread about 10% in the persistent
 * bench), read back into `WriteOp`s there and applied as one transaction.
 */
import type { DatabaseSync } from "node:sqlite";
import { type BasicProperties, writeProperties } from "../amqp/properties.ts";
import { decodeUtf8, Reader, Writer } from "../amqp/wire.ts";

export type WriteOp =
  | {
    k: "insert";
    id: number;
    vhost: string;
    queue: string;
    delivered: boolean;
    expiresAt: number | null;
    exchange: string;
    routingKey: string;
    properties: Uint8Array;
    body: Uint8Array;
  }
  | { k: "delivered" | "delete"; id: number }
  | { k: "drop-queue"; vhost: string; queue: string }
  | { k: "define"; kind: string; key: string; value: string | null };

/** The store to its writer. */
export type WriterCommand =
  | { type: "open"; dir: string }
  | { type: "write"; batch: number; bytes: Uint8Array }
  | { type: "close" };

/** The writer to the store. */
export type WriterReply =
  | { type: "opened" }
  | { type: "written"; batch: number; error?: string }
  | { type: "failed"; error: string }
  | { type: "closed" };

const KINDS = ["insert", "delivered", "delete", "drop-queue", "define"] as const;

/** Builds one batch's bytes (on the broker's thread). */
export class BatchEncoder {
  readonly #w = new Writer(64 * 1024);
  count = 0;

  insert(
    op: { id: number; vhost: string; queue: string; delivered: boolean; expiresAt: number | null },
    m: { exchange: string; routingKey: string; properties: BasicProperties; body: Uint8Array },
  ): void {
    const w = this.#w;
    this.#head(0);
    w.f64(op.id);
    w.longstr(op.vhost);
    w.longstr(op.queue);
    w.u8(op.delivered ? 1 : 0);
    w.f64(op.expiresAt ?? NaN);
    w.longstr(m.exchange);
    w.longstr(m.routingKey);
    const at = w.pos;
    w.u32(0);
    writeProperties(w, m.properties);
    w.u32At(at, w.pos - at - 4);
    w.longstr(m.body);
  }

  other(op: Exclude<WriteOp, { k: "insert" }>): void {
    const w = this.#w;
    this.#head(KINDS.indexOf(op.k));
    switch (op.k) {
      case "delivered":
      case "delete":
        return w.f64(op.id);
      case "drop-queue":
        w.longstr(op.vhost);
        return w.longstr(op.queue);
      case "define":
        w.longstr(op.kind);
        w.longstr(op.key);
        w.u8(op.value === null ? 0 : 1);
        w.longstr(op.value ?? "");
    }
  }

  #head(kind: number): void {
    this.count++;
    this.#w.u8(kind);
  }

  /** The batch as its own buffer, ready to transfer; the encoder starts over. */
  finish(): Uint8Array {
    const bytes = this.#w.finish();
    this.#w.reset();
    this.count = 0;
    return bytes;
  }
}

/** Reads a batch back (in the writer). */
export function decodeBatch(bytes: Uint8Array): WriteOp[] {
  const r = new Reader(bytes);
  const view = () => {
    const n = r.u32();
    return r.bytesView(n, "batch field");
  };
  const str = () => {
    const b = view();
    return decodeUtf8(b, 0, b.length);
  };
  const ops: WriteOp[] = [];
  while (r.pos < bytes.length) {
    const k = KINDS[r.u8()];
    if (k === "insert") {
      const id = r.f64(), vhost = str(), queue = str(), delivered = r.u8() === 1;
      const expires = r.f64();
      const exchange = str(), routingKey = str(), properties = view(), body = view();
      ops.push({
        k,
        id,
        vhost,
        queue,
        delivered,
        expiresAt: Number.isNaN(expires) ? null : expires,
        exchange,
        routingKey,
        properties,
        body,
      });
    } else if (k === "delivered" || k === "delete") ops.push({ k, id: r.f64() });
    else if (k === "drop-queue") ops.push({ k, vhost: str(), queue: str() });
    else if (k === "define") {
      const kind = str(), key = str(), has = r.u8() === 1, value = str();
      ops.push({ k, kind, key, value: has ? value : null });
    } else throw new Error(`bad batch: kind ${k}`);
  }
  return ops;
}

/** Prepared statements for one database. */
export function batchWriter(db: DatabaseSync): (ops: readonly WriteOp[]) => void {
  const insert = db.prepare(
    "INSERT INTO messages (id, vhost, queue, delivered, expires_at, exchange, routing_key, properties, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const delivered = db.prepare("UPDATE messages SET delivered = 1 WHERE id = ?");
  const remove = db.prepare("DELETE FROM messages WHERE id = ?");
  const dropQueue = db.prepare("DELETE FROM messages WHERE vhost = ? AND queue = ?");
  const define = db.prepare(
    "INSERT OR REPLACE INTO definitions (kind, key, value) VALUES (?, ?, ?)",
  );
  const undefine = db.prepare("DELETE FROM definitions WHERE kind = ? AND key = ?");
  return (ops) => {
    db.exec("BEGIN");
    try {
      for (const op of ops) {
        switch (op.k) {
          case "insert":
            insert.run(
              op.id,
              op.vhost,
              op.queue,
              op.delivered ? 1 : 0,
              op.expiresAt,
              op.exchange,
              op.routingKey,
              op.properties,
              op.body,
            );
            break;
          case "delivered":
            delivered.run(op.id);
            break;
          case "delete":
            remove.run(op.id);
            break;
          case "drop-queue":
            dropQueue.run(op.vhost, op.queue);
            break;
          case "define":
            if (op.value === null) undefine.run(op.kind, op.key);
            else define.run(op.kind, op.key, op.value);
        }
      }
      db.exec("COMMIT");
    } catch (e) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw e;
    }
  };
}
