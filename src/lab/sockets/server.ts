/**
 * What an echo server is, whatever its IO model: the lab starts one with
 * `startEchoServer()`, reads its event ring and connections, and stops it.
 */
import type { ConnectionInfo } from "./connections.ts";
import type { EventRing } from "./event_ring.ts";
import type { PollerName } from "./poller.ts";

export type ModelName = "blocking" | "nonblocking" | "multiplexed" | "async";
export const MODELS: readonly ModelName[] = ["blocking", "nonblocking", "multiplexed", "async"];

/** The models that call the kernel through FFI (the rest use Deno's sockets). */
export const FFI_MODELS: readonly ModelName[] = ["blocking", "nonblocking", "multiplexed"];

export interface EchoServer {
  readonly model: ModelName;
  readonly bind: string;
  /** The port it listens on (the kernel's choice when started with port 0). */
  readonly port: number;
  /** `epoll` or `select` for the multiplexed model, else null. */
  readonly poller: PollerName | null;
  /** Its events and exact counters. */
  readonly ring: EventRing;
  /** Live connections, oldest first. */
  connections(max?: number): ConnectionInfo[];
  /** Closes every connection and the listening socket; resolves when all are closed. */
  stop(): Promise<void>;
}

export interface EchoServerOptions {
  model: ModelName;
  /** Default 8001 (0: any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  bind?: string;
  /** Multiplexed only; default epoll. */
  poller?: PollerName;
  /** Events kept in the ring (default 4096). */
  ringCapacity?: number;
  /**
   * One line for each thing a person should know while the server keeps
   * serving (too many open files, a socket select cannot watch).
   */
  onNotice?: (line: string) => void;
}

export const DEFAULT_PORT = 8001;
export const DEFAULT_BIND = "127.0.0.1";

/** A server could not start (port in use, FFI missing...): `message` is the one line to show. */
export class ServerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServerStartError";
  }
}
