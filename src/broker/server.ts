/**
 * The embedded broker as a TCP server (node:net). `startBroker()` is what
 * tests, the CLI and the dashboard's broker Worker call.
 */
import { createServer, type Server, type Socket } from "node:net";
import { BrokerCore, DEFAULT_LIMITS } from "./broker.ts";
import { Connection } from "./connection.ts";
import { ReplyCode } from "./errors.ts";
import { type RunningManagement, startManagement } from "./http/server.ts";
import type { BrokerTimers } from "./timers.ts";

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
  /** Bytes of queued messages above which publishers are blocked (default: 40% of RAM). */
  memoryHighWatermark?: number;
  log?: (line: string) => void;
  /** Timers for heartbeats, timeouts, TTL and expiry (real ones; tests pass a fake clock). */
  timers?: BrokerTimers;
  /** Management HTTP API port on the same hostname (0: a free port); none when undefined. */
  httpPort?: number;
  /** Largest management API request body (413 beyond; RabbitMQ's 20 MB by default). */
  maxHttpBodyBytes?: number;
}

export interface RunningBroker {
  /** amqp://guest:guest@127.0.0.1:PORT */
  url: string;
  port: number;
  hostname: string;
  /** The broker's state (vhosts, queues), for in-process inspection. */
  core: BrokerCore;
  /** The management HTTP API, when `httpPort` was given. */
  management?: RunningManagement;
  /** connection.close 320 CONNECTION_FORCED to every client, then stop listening. */
  close(): Promise<void>;
}

export async function startBroker(opts: BrokerOptions = {}): Promise<RunningBroker> {
  const hostname = opts.hostname ?? "127.0.0.1";
  const core = new BrokerCore({
    limits: {
      ...DEFAULT_LIMITS,
      heartbeat: opts.heartbeat ?? DEFAULT_LIMITS.heartbeat,
      frameMax: opts.frameMax ?? DEFAULT_LIMITS.frameMax,
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? DEFAULT_LIMITS.handshakeTimeoutMs,
      memoryHighWatermark: opts.memoryHighWatermark ?? DEFAULT_LIMITS.memoryHighWatermark,
    },
    timers: opts.timers,
    log: opts.log,
  });
  const server: Server = createServer({ noDelay: true }, (socket: Socket) => {
    new Connection(socket, core);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: opts.port ?? 5672, host: hostname }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (e) => opts.log?.(`server error: ${e.message}`));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port ?? 5672;
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
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw e;
    }
  }
  const urlHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  let closing: Promise<void> | undefined;
  return {
    url: `amqp://guest:guest@${urlHost}:${port}`,
    port,
    hostname,
    core,
    management,
    close() {
      closing ??= (async () => {
        await management?.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all(
          [...core.connections].map((c) =>
            c.forceClose(
              ReplyCode.CONNECTION_FORCED,
              "broker forced connection closure with reason 'shutdown'",
            )
          ),
        );
        await stopped;
      })();
      return closing;
    },
  };
}
