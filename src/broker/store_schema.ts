/**
 * Opening the broker's data dir: `broker.db`, an SQLite database
 * (`node:sqlite`) in WAL mode with synchronous=FULL, held with an exclusive
 * lock for as long as the broker runs, so a second broker on the same dir
 * fails at once. Anything wrong (a file that is not a database, no
 * permission, a lock held, a schema from a newer warren) is one StoreError
 * naming the file; nothing is written before the checks pass.
 */
import { DatabaseSync } from "node:sqlite";
import { errorMessage } from "../util/error_message.ts";

/** The store's file inside the data dir. */
export const STORE_FILE = "broker.db";
const SCHEMA_VERSION = 1;

/** The data dir cannot be used: one line for the user, naming the file. */
export class StoreError extends Error {}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS definitions (
  kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  vhost TEXT NOT NULL,
  queue TEXT NOT NULL,
  delivered INTEGER NOT NULL,
  expires_at REAL,
  exchange TEXT NOT NULL,
  routing_key TEXT NOT NULL,
  properties BLOB NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (vhost, queue, id);
`;

function sqliteCode(e: unknown): number | undefined {
  return (e as { errcode?: number }).errcode;
}

/** Opens (creating when new) the store in `dir`; throws StoreError. */
export function openStoreDatabase(dir: string): { db: DatabaseSync; file: string } {
  try {
    Deno.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new StoreError(`cannot use data dir ${dir}: ${errorMessage(e)}`);
  }
  const file = `${dir.replace(/\/+$/, "") || "/"}/${STORE_FILE}`.replace("//", "/");
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file);
    // Exclusive before WAL: the lock is taken by the first access and kept
    // until close (or death: the kernel drops it), and no -shm file is used.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("PRAGMA busy_timeout = 0");
    const version = db.prepare("PRAGMA user_version").get() as { user_version: number };
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
      .map((r) => (r as { name: string }).name);
    if (tables.length > 0 && !tables.includes("messages")) {
      throw new StoreError(`${file} is not a warren broker store (tables: ${tables.join(", ")})`);
    }
    if (version.user_version > SCHEMA_VERSION) {
      throw new StoreError(
        `${file} was written by a newer warren (schema ${version.user_version}); this one reads ${SCHEMA_VERSION}`,
      );
    }
    const mode = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode: string };
    if (mode.journal_mode !== "wal") throw new Error(`journal mode ${mode.journal_mode}`);
    db.exec("PRAGMA synchronous = FULL");
    db.exec("BEGIN IMMEDIATE");
    db.exec(SCHEMA);
    if (version.user_version < SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec("COMMIT");
    return { db, file };
  } catch (e) {
    try {
      db?.close();
    } catch { /* already broken */ }
    if (e instanceof StoreError) throw e;
    throw storeError(file, e);
  }
}

/** A failure on the store's file as one line naming it. */
export function storeError(file: string, e: unknown): StoreError {
  const code = sqliteCode(e);
  if (code === 5 || code === 6) {
    return new StoreError(`${file} is in use by another broker (the database is locked)`);
  }
  if (code === 26 || code === 11) {
    return new StoreError(`${file} is not a warren broker store or is damaged: ${errorMessage(e)}`);
  }
  return new StoreError(`cannot open ${file}: ${errorMessage(e)}`);
}
