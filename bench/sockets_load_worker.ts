/**
 * The sockets bench's load, on a Worker of its own: the lean epoll client
 * (`sockets_lean_load.ts`), which blocks this Worker's thread in
 * `epoll_wait`, so the server measured keeps its own thread (the bench's
 * main thread, or its Worker) for itself, the same for every model and for
 * the reference.
 */
/// <reference lib="deno.worker" />
import { libc } from "../src/lab/sockets/libc.ts";
import { type LeanStats, runLeanLoad } from "./sockets_lean_load.ts";
import { errorMessage } from "../src/util/error_message.ts";

export interface LoadRequest {
  port: number;
  connections: number;
  durationMs: number;
}

export type LoadReply = { stats: LeanStats } | { error: string };

self.onmessage = (e: MessageEvent<LoadRequest>) => {
  const { port, connections, durationMs } = e.data;
  let reply: LoadReply;
  try {
    reply = { stats: runLeanLoad(libc(), port, connections, durationMs) };
  } catch (error) {
    reply = { error: errorMessage(error) };
  }
  self.postMessage(reply);
};
