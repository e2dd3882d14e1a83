/**
 * The store's changes as they cross to its writer Worker (plain data, so
 * they survive `postMessage`), and applying one batch of them to the
 * database as one transaction.
 */
import type { DatabaseSync } from "node:sqlite";

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
  | { type: "write"; batch: number; ops: WriteOp[] }
  | { type: "close" };

/** The writer to the store. */
export type WriterReply =
  | { type: "opened" }
  | { type: "written"; batch: number; error?: string }
  | { type: "failed"; error: string }
  | { type: "closed" };

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
