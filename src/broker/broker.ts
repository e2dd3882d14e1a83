/**
 * The broker's state independent of any socket: users, vhosts, live
 * connections, the limits every connection negotiates from, and the memory
 * monitor (memory_monitor.ts), started and stopped by the server.
 */
import type { User } from "./auth.ts";
import { type BrokerTimers, realTimers } from "./timers.ts";
import { Vhost } from "./vhost.ts";
import { MemoryMonitor } from "./memory_monitor.ts";
import { resolveMemoryLimit } from "./memory_limit.ts";
import type { Store } from "./store.ts";
import { VhostJournal } from "./store_journal.ts";

export interface BrokerLimits {
  /** Offered in connection.tune. */
  channelMax: number;
  frameMax: number;
  /** Seconds; 0 disables. */
  heartbeat: number;
  /** Largest message body accepted (406 beyond). */
  maxMessageSize: number;
  handshakeTimeoutMs: number;
  /**
   * Bytes of memory the process may use (RSS, sampled) above which publishing
   * connections are blocked (connection.blocked), like RabbitMQ's
   * vm_memory_high_watermark; already capped under V8's heap limit
   * (memory_limit.ts).
   */
  memoryHighWatermark: number;
  /**
   * A client that has read nothing for this long while output waits is
   * closed and its deliveries requeued (RabbitMQ's TCP send timeout); 0: never.
   */
  writeTimeoutMs: number;
  /** A message body still incomplete this long after its header closes the connection. */
  bodyTimeoutMs: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  channelMax: 2047,
  frameMax: 131072,
  heartbeat: 60,
  maxMessageSize: 128 * 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  memoryHighWatermark: resolveMemoryLimit().bytes,
  writeTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
};

/** What the broker needs to tell a connection (to close it on shutdown). */
export interface BrokerConnection {
  forceClose(code: number, text: string): Promise<void>;
  /** The memory alarm went on or off. */
  memoryAlarm(on: boolean): void;
}

/** What the broker runs on; everything defaults to the real thing or to nothing. */
export interface BrokerCoreOptions {
  limits?: BrokerLimits;
  /** Timers for heartbeats, timeouts, TTL and expiry (real ones by default). */
  timers?: BrokerTimers;
  /** Where the broker's log lines go (silent by default). */
  log?: (line: string) => void;
  /** What the process uses, in bytes (default: sampled from `Deno.memoryUsage()`). */
  readMemoryUsage?: () => number;
  /** Gives unused memory back to the system (default: none; the server passes `reclaimMemory`). */
  reclaimMemory?: () => void;
  /** Where durable topology and persistent messages are kept (none: memory only). */
  store?: Store;
}

export class BrokerCore {
  readonly users = new Map<string, User>([
    ["guest", { name: "guest", password: "guest", loopbackOnly: true, tags: ["administrator"] }],
  ]);
  readonly vhosts = new Map<string, Vhost>();
  readonly connections = new Set<BrokerConnection>();
  readonly memory: MemoryMonitor;
  readonly limits: BrokerLimits;
  readonly timers: BrokerTimers;
  readonly log: (line: string) => void;
  readonly store: Store | undefined;

  constructor(opts: BrokerCoreOptions = {}) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.timers = opts.timers ?? realTimers;
    const log = this.log = opts.log ?? (() => {});
    this.memory = new MemoryMonitor({
      limit: this.limits.memoryHighWatermark,
      timers: this.timers,
      readUsage: opts.readMemoryUsage,
      reclaim: opts.reclaimMemory,
      log,
      onAlarm: (on) => {
        for (const c of this.connections) c.memoryAlarm(on);
      },
    });
    this.store = opts.store;
    this.addVhost("/");
  }

  /** The vhost named so, created when missing (its durable parts kept in the store, if any). */
  vhost(name: string): Vhost {
    return this.vhosts.get(name) ?? this.addVhost(name);
  }

  addVhost(name: string): Vhost {
    const { timers, memory, log, store } = this;
    const journal = store && new VhostJournal(store, name);
    const v = new Vhost(name, { timers, memory, log, journal });
    this.vhosts.set(name, v);
    return v;
  }
}
