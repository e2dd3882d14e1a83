/**
 * The RabbitMQ actors part of the lab's interface (types only, imports
 * nothing): the commands that start and stop publishers, subscribers,
 * workers, RPC servers and clients and the lesson's scenarios in the lab
 * Worker, and what each snapshot carries about them. Every list is bounded.
 *
 * The actors are hub tasks, so they also appear in the Coroutines panel.
 * The broker's URL (with its password) goes to the lab once, with
 * `mq-connect`; nothing the lab posts back ever contains the password.
 */

export type ActorKind = "publisher" | "subscriber" | "worker" | "rpc-server" | "rpc-client";

export type ActorState = "connecting" | "running" | "reconnecting" | "done" | "failed" | "stopped";

/** The lesson's six scenarios (`:scenario NAME`). */
export const SCENARIOS = ["hello", "work", "fanout", "direct", "topic", "rpc"] as const;
export type ScenarioName = typeof SCENARIOS[number];

export interface PublishOptions {
  exchange: string;
  routingKey: string;
  body: string;
  /** delivery_mode 2. */
  persistent?: boolean;
  /** Unroutable messages come back as returns (shown, not dropped). */
  mandatory?: boolean;
  /** Publisher confirms (default true): acks and nacks are counted and shown. */
  confirms?: boolean;
  /** Messages per second; absent: as fast as confirms allow. */
  ratePerS?: number;
  /** How many, then the publisher is done; absent: 1 without a rate, unbounded with one. */
  count?: number;
}

/** UI -> lab: the actors' commands (part of `LabCommand`). */
export type MqCommand =
  /**
   * Which broker the actors use (sent once the UI has selected it, and again
   * if it changes). `workScale` scales the worker's one second per `.`.
   */
  | { type: "mq-connect"; url: string; workScale: number }
  | { type: "mq-publish"; options: PublishOptions }
  /** A subscriber on its own exclusive server-named queue bound with each key (fanout: no key). */
  | { type: "mq-subscribe"; exchange: string; keys: string[] }
  /** A worker on `queue` (declared durable when missing); prefetch 0: unlimited. */
  | { type: "mq-worker"; queue: string; prefetch?: number; noAck?: boolean }
  /** The RPC server on `rpc_queue`: fib(n) for 0 <= n <= 90, an error reply otherwise. */
  | { type: "mq-rpc-server" }
  /** One RPC call fib(n) (starts the RPC client on first use). */
  | { type: "mq-rpc"; n: number }
  /**
   * Declares a scenario's topology and starts its actors as the lesson does.
   * `work` with `prefetch: false` runs its workers without prefetch 1 (to compare).
   */
  | { type: "mq-scenario"; name: ScenarioName; prefetch?: boolean }
  /** Stops the actor so named; absent: every actor. */
  | { type: "mq-stop"; name?: string };

export interface ActorRow {
  /** `publisher-1`, `worker-2`, ...: what `mq-stop` and the log name it by. */
  name: string;
  kind: ActorKind;
  /** Its main hub task's id (the Coroutines panel), 0 once gone. */
  taskId: number;
  state: ActorState;
  /** What it does, one line: `topic_logs <- *.orange.*`, `task_queue prefetch 1 ack`. */
  summary: string;
  published: number;
  confirmed: number;
  nacked: number;
  returned: number;
  received: number;
  acked: number;
  rejected: number;
  /** Messages per second over the last interval (published or received). */
  ratePerS: number;
  /** The broker's or the connection's last error, or null. */
  error: string | null;
}

export interface ActorLogLine {
  /** Increases by one per line across all actors. */
  seq: number;
  actor: string;
  /** Hub time. */
  atMs: number;
  /** `#3 kern.critical redelivered=false "disk full" ack`, shortened to one line. */
  text: string;
}

export interface RpcCallRow {
  correlationId: string;
  n: number;
  state: "waiting" | "answered" | "error";
  /** The reply's body (`832040`) or error text. */
  answer: string | null;
  latencyMs: number | null;
}

export interface MqSnapshot {
  /** The actors' broker URL, password hidden; null before `mq-connect`. */
  url: string | null;
  /** The newest scenario started, or null. */
  scenario: ScenarioName | null;
  /** Actors alive and the last 20 ended ones, in start order. */
  actors: ActorRow[];
  /** Log lines since the previous snapshot, oldest first (at most 200; `dropped` counts the rest). */
  log: { lines: ActorLogLine[]; dropped: number };
  /** The RPC client's last 20 calls, newest last. */
  rpc: RpcCallRow[];
}
