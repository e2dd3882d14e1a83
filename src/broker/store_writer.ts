/**
 * The store's writer: a Worker that owns the database once the broker has
 * recovered, and runs each batch as one synced transaction (WAL,
 * synchronous=FULL), so the fsync never stalls the broker's own thread.
 * One batch at a time, in order; each is answered with `written`.
 */
import type { DatabaseSync } from "node:sqlite";
import { errorMessage } from "../util/error_message.ts";
import {
  batchWriter,
  decodeBatch,
  type WriteOp,
  type WriterCommand,
  type WriterReply,
} from "./store_ops.ts";
import { openStoreDatabase } from "./store_schema.ts";

// deno-lint-ignore no-explicit-any
const scope = self as any;
let db: DatabaseSync | undefined;
let write: ((ops: readonly WriteOp[]) => void) | undefined;

function post(reply: WriterReply): void {
  scope.postMessage(reply);
}

scope.onmessage = (event: MessageEvent<WriterCommand>) => {
  const command = event.data;
  switch (command.type) {
    case "open":
      try {
        db = openStoreDatabase(command.dir).db;
        write = batchWriter(db);
        post({ type: "opened" });
      } catch (e) {
        post({ type: "failed", error: errorMessage(e) });
      }
      return;
    case "write":
      try {
        write!(decodeBatch(command.bytes));
        post({ type: "written", batch: command.batch });
      } catch (e) {
        post({ type: "written", batch: command.batch, error: errorMessage(e) });
      }
      return;
    case "close":
      try {
        db?.close();
      } finally {
        db = undefined;
        post({ type: "closed" });
      }
  }
};
