/**
 * The embedded broker as a TCP server (its accept loop is listener.ts).
 * `startBroker()` is what tests, the CLI and the dashboard's broker Worker
 * call.
 */
import { errorMessage } from "../util/error_message.ts";
import { BrokerCore, DEFAULT_LIMITS } from "./broker.ts";
import { Connection } from "./connection.ts";
import { ReplyCode } from "./errors.ts";
import { defaultMaxConnections, type FileLimit, readFileLimit } from "./fd_limit.ts";
import { Listener } from "./listener.ts";
import { type MemoryLimit, resolveMemoryLimit } from "./memory_limit.ts";
import { reclaimMemory } from "./memory_reclaim.ts";
import { realTimers } from "./timers.ts";
import { Store } from "./store.ts";
import { describeRecovery, recoverFromStore } from "./store_recovery.ts";
import { keepUserRegistry, loadUserRegistry } from "./store_users.ts";
import { type RunningManagement, startManagement } from "./http/server.ts";
import type { BrokerTimers } from "./timers.ts";
import type { UserRegistry } from "./user_registry.ts";

/** Listening failed on `port` (AMQP or the management API), so the CLI can name it. */
export class ListenError extends Error {
  constructor(readonly port: number, readonly reason: unknown) {
    super(errorMessage(reason));
  }

  /** The port is taken by another process. */
  get inUse(): boolean {
    return this.reason instanceof Deno.errors.AddrInUse ||
      (this.reason as { code?: string }).code === "EADDRINUSE";
  }
}

export interface BrokerOptions {
  /** 5672 by default; 0 picks a free port. */
  port?: number;
  /** "127.0.0.1" by default (loopback only). */
  hostname?: string;
  /** Heartbeat offered in connection.tune, seconds (60). */
  heartbeat?: number;
  /** frame_max offered in connection.tune (131072). */
  frameMax?: number;
  /** Time allowed from TCP accept to connection.open-ok (10 000 ms). */
  handshakeTimeoutMs?: number;
  /**
   * Bytes of memory the process may use before publishers are blocked
   * (default: 40% of RAM); capped under V8's heap limit either way.
   */
  memoryHighWatermark?: number;
  /** What the process uses (default: sampled `Deno.memoryUsage()`; tests may count messages only). */
  readMemoryUsage?: () => number;
  /** Gives unused memory back (default: `reclaimMemory`, a GC and `malloc_trim`). */
  reclaimMemory?: () => void;
  /** A client that reads nothing for this long while output waits is closed (30 000 ms; 0: never). */
  writeTimeoutMs?: number;
  /** A message body still incomplete this long after its header closes the connection (60 000 ms). */
  bodyTimeoutMs?: number;
  /**
   * Open connections beyond which connection.open is refused with 530
   * (default: from `ulimit -n`, where sockets are also closed at accept).
   */
  maxConnections?: number;
  /** Users, vhosts and permissions (default: guest on `/`, as RabbitMQ's first boot). */
  users?: UserRegistry;
  log?: (line: string) => void;
  /** Timers for heartbeats, timeouts, TTL and expiry (real ones; tests pass a fake clock). */
  timers?: BrokerTimers;
  /** Management HTTP API port on the same hostname (0: a free port); none when undefined. */
  httpPort?: number;
  /** Largest management API request body (413 beyond; RabbitMQ's 20 MB by default). */
  maxHttpBodyBytes?: number;
  /**
   * Where durable topology and persistent messages are kept (store.ts);
   * undefined: nothing survives the process. A dir that cannot be used
   * (damaged, locked by another broker) throws a StoreError.
   */
  dataDir?: string;
  /** The store's group-commit window in ms (store.ts). */
  commitWindowMs?: number;
}

export interface RunningBroker {
  /** amqp://guest:guest@127.0.0.1:PORT */
  url: string;
  port: number;
  hostname: string;
  /** The broker's state (vhosts, queues), for in-process inspection. */
  core: BrokerCore;
  /** The connection maximum in force. */
  maxConnections: number;
  /** The memory limit in force and where it comes from (the start-up line). */
  memoryLimit: MemoryLimit;
  /** The process's open-file limit, when known (the default maximum comes from it). */
  fileLimit: FileLimit | undefined;
  /** The management HTTP API, when `httpPort` was given. */
  management?: RunningManagement;
  /** The store's file, when there is a data dir. */
  storeFile?: string;
  /** connection.close 320 CONNECTION_FORCED to every client, then stop listening. */
  close(): Promise<void>;
}

export async function startBroker(opts: BrokerOptions = {}): Promise<RunningBroker> {
  const hostname = opts.hostname ?? "127.0.0.1";
  const memoryLimit = resolveMemoryLimit({ requested: opts.memoryHighWatermark });
  const log = opts.log ?? (() => {});
  const store = opts.dataDir === undefined ? undefined : new Store({
    dir: opts.dataDir,
    commitWindowMs: opts.commitWindowMs,
    // Commits run on real time even when a test fakes the broker's clock.
    timers: realTimers,
    log,
  });
  const fileLimit = await readFileLimit();
  const maxConnections = opts.maxConnections ?? defaultMaxConnections(fileLimit);
  // A data dir keeps users, vhosts and permissions; without one, the caller's or first boot's.
  let users = opts.users;
  if (store && !users) {
    try {
      users = loadUserRegistry(store);
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  const core = new BrokerCore({
    limits: {
      ...DEFAULT_LIMITS,
      heartbeat: opts.heartbeat ?? DEFAULT_LIMITS.heartbeat,
      frameMax: opts.frameMax ?? DEFAULT_LIMITS.frameMax,
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? DEFAULT_LIMITS.handshakeTimeoutMs,
      memoryHighWatermark: memoryLimit.bytes,
      writeTimeoutMs: opts.writeTimeoutMs ?? DEFAULT_LIMITS.writeTimeoutMs,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? DEFAULT_LIMITS.bodyTimeoutMs,
      maxConnections,
    },
    timers: opts.timers,
    log: opts.log,
    readMemoryUsage: opts.readMemoryUsage,
    reclaimMemory: opts.reclaimMemory ?? reclaimMemory,
    store,
    users,
  });
  if (store) {
    try {
      log(describeRecovery(recoverFromStore(store, (v) => core.vhost(v), log), store.file));
      keepUserRegistry(store, core.users);
      await store.startWriter();
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  // Sockets past what the descriptors allow are closed at accept; below
  // that, connections past --max-connections are refused at connection.open
  // with RabbitMQ's 530 "node connection limit" (a clear reason for the client).
  const socketLimit = Math.max(maxConnections, defaultMaxConnections(fileLimit));
  let listener: Listener;
  try {
    listener = new Listener({
      hostname,
      port: opts.port ?? 5672,
      maxConnections: socketLimit,
      limitName: socketLimit === maxConnections && opts.maxConnections !== undefined
        ? "--max-connections"
        : "ulimit -n",
      openConnections: () => core.connections.size,
      onConnection: (socket) => new Connection(socket, core),
      // The accept loop's pauses are real even when a test fakes the broker's clock.
      timers: realTimers,
      log: core.log,
    });
  } catch (e) {
    await store?.close();
    throw new ListenError(opts.port ?? 5672, e);
  }
  const port = listener.port;
  let management: RunningManagement | undefined;
  if (opts.httpPort !== undefined) {
    try {
      management = startManagement({
        core,
        hostname,
        port: opts.httpPort,
        amqpPort: port,
        maxBodyBytes: opts.maxHttpBodyBytes,
      });
    } catch (e) {
      await listener.close();
      await store?.close();
      throw new ListenError(opts.httpPort, e);
    }
  }
  core.memory.start();
  const urlHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  let closing: Promise<void> | undefined;
  return {
    url: `amqp://guest:guest@${urlHost}:${port}`,
    port,
    hostname,
    core,
    maxConnections,
    memoryLimit,
    fileLimit,
    management,
    storeFile: store?.file,
    close() {
      closing ??= (async () => {
        await management?.close();
        const stopped = listener.close();
        await Promise.all(
          [...core.connections].map((c) =>
            c.forceClose(
              ReplyCode.CONNECTION_FORCED,
              "broker forced connection closure with reason 'shutdown'",
            )
          ),
        );
        await stopped;
        core.memory.stop();
        await store?.close();
      })();
      return closing;
    },
  };
}
