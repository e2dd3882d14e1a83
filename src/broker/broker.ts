/**
 * The broker's state independent of any socket: users, vhosts, live
 * connections, the limits every connection negotiates from, and the memory
 * monitor (memory_monitor.ts), started and stopped by the server. Users,
 * vhost names and permissions change only through `users` (user_registry.ts);
 * the core follows its changes: a vhost added gets its exchanges, a vhost
 * deleted loses its clients and entities, a user deleted loses its clients.
 */
import { ReplyCode } from "./errors.ts";
import { type RegistryChange, UserRegistry } from "./user_registry.ts";
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
  /**
   * connection.open is refused (530, RabbitMQ's node connection limit) while
   * more connections than this are open, counting the one opening.
   */
  maxConnections: number;
  /** How long a refused login waits before its socket is dropped (RabbitMQ: 3 s). */
  loginFailureDelayMs: number;
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
  maxConnections: Infinity,
  loginFailureDelayMs: 3000,
};

/** What the broker needs to tell a connection (to close it on shutdown). */
export interface BrokerConnection {
  /** The authenticated user ("" before start-ok) and the vhost once open. */
  readonly userName: string;
  readonly vhostName: string | undefined;
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
  /** Users, vhosts and permissions (default: RabbitMQ's first boot, guest on `/`). */
  users?: UserRegistry;
}

export class BrokerCore {
  readonly users: UserRegistry;
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
    this.users = opts.users ?? UserRegistry.withDefaults();
    for (const name of this.users.vhostNames()) this.#addVhost(name);
    this.users.subscribe((change) => this.#follow(change));
  }

  /**
   * The vhost named so; one the registry lacks is added to it first (recovery
   * of a data dir whose vhost list was not kept).
   */
  vhost(name: string): Vhost {
    if (!this.vhosts.has(name)) this.users.addVhost(name);
    return this.vhosts.get(name)!;
  }

  #addVhost(name: string): void {
    const { timers, memory, log, store } = this;
    const journal = store && new VhostJournal(store, name);
    this.vhosts.set(name, new Vhost(name, { timers, memory, log, journal }));
  }

  #follow(change: RegistryChange): void {
    switch (change.kind) {
      case "vhost-added":
        return this.#addVhost(change.name);
      case "vhost-deleted": {
        const v = this.vhosts.get(change.name);
        if (!v) return;
        this.#disconnect((c) => c.vhostName === v.name, `vhost '${v.name}' is deleted`);
        for (const q of [...v.queues.values()]) v.removeQueue(q);
        // Its durable exchanges leave the store too (or a restart would bring them back).
        for (const x of [...v.exchanges.keys()]) {
          if (x !== "" && !x.startsWith("amq.")) v.deleteExchange(x);
        }
        this.vhosts.delete(v.name);
        return;
      }
      case "user-deleted":
        // As RabbitMQ: the user's connections are closed with 320.
        return this.#disconnect(
          (c) => c.userName === change.name,
          `user '${change.name}' is deleted`,
        );
    }
  }

  #disconnect(which: (c: BrokerConnection) => boolean, why: string): void {
    for (const c of this.connections) {
      if (which(c)) void c.forceClose(ReplyCode.CONNECTION_FORCED, why);
    }
  }
}
