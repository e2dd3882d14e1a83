/**
 * The sockets bench's load, on a Worker of its own: the lean epoll client
 * (`sockets_lean_load.ts`), against one server or against several in turn
 * (`sockets_interleaved_load.ts`), which blocks this Worker's thread in
 * `epoll_wait`, so the servers measured keep their own threads (the bench's
 * main thread, or their Workers) for themselves, the same for every model
 * and for the reference.
 */
/// <reference lib="deno.worker" />
import { libc } from "../src/lab/sockets/libc.ts";
import { type LeanStats, runLeanLoad } from "./sockets_lean_load.ts";
import {
  runInterleavedLoad,
  type SlicedStats,
  type SliceOptions,
} from "./sockets_interleaved_load.ts";
import { errorMessage } from "../src/util/error_message.ts";

export type LoadRequest =
  | { port: number; connections: number; durationMs: number }
  | { ports: number[]; connections: number; slices: SliceOptions; announce?: boolean };

/** The figures (or the error), once; before them, with `announce`, each slice's start. */
export type LoadReply =
  | { stats: LeanStats }
  | { sliced: SlicedStats[] }
  | { error: string }
  | { slice: number };

self.onmessage = (e: MessageEvent<LoadRequest>) => {
  const m = e.data;
  let reply: LoadReply;
  try {
    const announce = "ports" in m && m.announce === true
      ? (slice: number) => self.postMessage({ slice } satisfies LoadReply)
      : undefined;
    reply = "ports" in m
      ? { sliced: runInterleavedLoad(libc(), m.ports, m.connections, m.slices, announce) }
      : { stats: runLeanLoad(libc(), m.port, m.connections, m.durationMs) };
  } catch (error) {
    reply = { error: errorMessage(error) };
  }
  self.postMessage(reply);
};
