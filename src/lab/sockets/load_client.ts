/**
 * The lesson's load: N client connections to an echo server on 127.0.0.1,
 * each a hub task (so they show in the Coroutines panel) sending `hello <n>`
 * (padded to `size` bytes) and waiting for the whole echo before the next.
 * Every client connects first; the round trips begin once all have (or
 * after 5 s). Closed loop by default, or paced to a total rate. Always
 * bounded: a number of round trips per connection and/or a duration, and a
 * hard time limit after which every connection is closed, so a load always
 * stops by itself.
 */
import { type Effect, sleep, wait } from "../effects.ts";
import type { Hub } from "../hub.ts";
import type { Task } from "../task.ts";
import { fdShortfall } from "./fd_limit.ts";
import { LatencyHistogram, type LatencySummary } from "./latency.ts";

export const LOAD_HOST = "127.0.0.1";
export const MAX_CONNECTIONS = 10_000;
export const DEFAULT_CONNECTIONS = 100;
/** No load runs longer than this, whatever it was asked. */
export const MAX_DURATION_MS = 120_000;
export const MAX_SIZE = 16 * 1024 * 1024;
/** How long after the deadline a client still connecting is ended. */
const CONNECT_GRACE_MS = 1000;
/** The round trips begin once every client is connected, or after this long (ms). */
const CONNECT_PHASE_MAX_MS = 5000;

export interface LoadOptions {
  port: number;
  /** Connections (default 100, at most 10 000). */
  connections?: number;
  /** Round trips per connection, then it closes; 0 = until the duration ends (default 1). */
  rounds?: number;
  /** Stops the load after this long (default 10 s, at most 120 s). */
  durationMs?: number;
  /** Bytes per message (default: `hello <n>` as it is; larger is padded with dots). */
  size?: number;
  /** Round trips per second across all connections (default: as fast as echoes return). */
  ratePerS?: number;
  /** Hub group for the tasks (default "load"). */
  group?: string;
  /** fds per connection this process needs (2 when the server runs in this process too). */
  fdsPerConnection?: number;
}

/** The load was refused before it started (too many connections for the fd limit...). */
export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoadError";
  }
}

export interface LoadStats {
  connections: number;
  /** Connections that got through `connect`. */
  connected: number;
  /** Connections open now. */
  open: number;
  roundTrips: number;
  bytesOut: number;
  bytesIn: number;
  /** Failures by kind: refused, reset, eof, mismatch, timeout, emfile, other. */
  errors: Record<string, number>;
  latency: LatencySummary;
  elapsedMs: number;
  roundTripsPerS: number;
  /** Echoed bytes per second (received). */
  bytesPerS: number;
  done: boolean;
}

type Gen = Generator<Effect | undefined, void, unknown>;

/** What each connection sends: `hello <n>`, padded with dots to `size`. */
export function message(n: number, size?: number): Uint8Array {
  const text = `hello ${n}`;
  const bytes = new Uint8Array(Math.max(size ?? text.length, 1)).fill(46); // '.'
  bytes.set(new TextEncoder().encode(text).subarray(0, bytes.length));
  return bytes;
}

function errorKind(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) return "refused";
  if (error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe) {
    return "reset";
  }
  if (error instanceof Deno.errors.TimedOut) return "timeout";
  const text = error instanceof Error ? error.message : String(error);
  if (/too many open files|os error 24/i.test(text)) return "emfile";
  return "other";
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(off === 0 ? bytes : bytes.subarray(off));
}

/** Reads exactly buf.length bytes; false if the server closed first. */
async function readExact(conn: Deno.TcpConn, buf: Uint8Array): Promise<boolean> {
  let off = 0;
  while (off < buf.length) {
    const n = await conn.read(off === 0 ? buf : buf.subarray(off));
    if (n === null) return false;
    off += n;
  }
  return true;
}

/** One round trip: send and read the echo at once (a large echo comes back while sending). */
async function roundTrip(conn: Deno.TcpConn, out: Uint8Array, back: Uint8Array): Promise<string> {
  const [, complete] = await Promise.all([writeAll(conn, out), readExact(conn, back)]);
  if (!complete) return "eof";
  for (let i = 0; i < out.length; i++) if (out[i] !== back[i]) return "mismatch";
  return "";
}

export class LoadRun {
  readonly options: Required<Omit<LoadOptions, "size" | "ratePerS" | "group">> & LoadOptions;
  readonly #hub: Hub;
  readonly #latency = new LatencyHistogram();
  readonly #errors: Record<string, number> = {};
  readonly #sockets = new Set<Deno.TcpConn>();
  readonly #tasks: Task[] = [];
  readonly #startedAt = performance.now();
  readonly #deadline: number;
  readonly #supervisor: Task;
  #endedAt = 0;
  #stopping = false;
  #connected = 0;
  /** Clients still connecting; see `#client`. */
  #connecting: number;
  readonly #allConnected = Promise.withResolvers<void>();
  #roundTrips = 0;
  #bytesOut = 0;
  #bytesIn = 0;

  /** Starts the load on `hub`; throws a LoadError when it cannot run at all. */
  constructor(hub: Hub, options: LoadOptions) {
    const connections = options.connections ?? DEFAULT_CONNECTIONS;
    if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
      throw new LoadError(`connections must be 1 to ${MAX_CONNECTIONS}, got ${connections}`);
    }
    if (options.size !== undefined && !(options.size >= 1 && options.size <= MAX_SIZE)) {
      throw new LoadError(`message size must be 1 to ${MAX_SIZE} bytes, got ${options.size}`);
    }
    if (options.ratePerS !== undefined && !(options.ratePerS > 0)) {
      throw new LoadError(`rate must be above 0, got ${options.ratePerS}`);
    }
    const shortfall = fdShortfall(connections * (options.fdsPerConnection ?? 1));
    if (shortfall !== null) throw new LoadError(shortfall);
    this.options = {
      ...options,
      connections,
      rounds: options.rounds ?? 1,
      durationMs: Math.min(options.durationMs ?? 10_000, MAX_DURATION_MS),
      fdsPerConnection: options.fdsPerConnection ?? 1,
    };
    this.#hub = hub;
    this.#connecting = connections;
    this.#deadline = this.#startedAt + this.options.durationMs;
    const group = options.group ?? "load";
    this.#supervisor = hub.spawn(
      `load ${connections} -> :${options.port}`,
      () => this.#supervise(group),
      { group, parent: null },
    );
  }

  /** Resolves with the final figures once every connection has finished. */
  async done(): Promise<LoadStats> {
    await this.#supervisor.whenFinished();
    await Promise.all(this.#tasks.map((t) => t.whenFinished()));
    return this.stats();
  }

  /** Ends the load now: every connection is closed. */
  stop(): void {
    this.#stopping = true;
    this.#allConnected.resolve();
    for (const socket of this.#sockets) {
      try {
        socket.close();
      } catch {
        // closed by its task already
      }
    }
  }

  stats(): LoadStats {
    const end = this.#endedAt || performance.now();
    const elapsedMs = end - this.#startedAt;
    const secs = Math.max(elapsedMs, 1) / 1000;
    return {
      connections: this.options.connections,
      connected: this.#connected,
      open: this.#sockets.size,
      roundTrips: this.#roundTrips,
      bytesOut: this.#bytesOut,
      bytesIn: this.#bytesIn,
      errors: { ...this.#errors },
      latency: this.#latency.summary(),
      elapsedMs,
      roundTripsPerS: this.#roundTrips / secs,
      bytesPerS: this.#bytesIn / secs,
      done: this.#endedAt !== 0,
    };
  }

  /** The latency histogram itself (for drawing). */
  get latency(): LatencyHistogram {
    return this.#latency;
  }

  *#supervise(group: string): Gen {
    for (let i = 0; i < this.options.connections; i++) {
      const n = i + 1;
      this.#tasks.push(this.#hub.spawn(`client ${n}`, () => this.#client(n), { group }));
    }
    // wait for the clients, closing everything at the deadline; a connect the
    // kernel keeps retrying (a full backlog drops SYNs) would outlast it: such a
    // client is ended a moment later, so the load always stops by itself
    while (this.#tasks.some((t) => !t.finished)) {
      const now = performance.now();
      // a client whose SYNs the kernel keeps retrying does not hold the others back for long
      if (now >= this.#startedAt + CONNECT_PHASE_MAX_MS) this.#allConnected.resolve();
      if (now >= this.#deadline && !this.#stopping) {
        if (this.options.rounds > 0) this.#count("timeout", this.#sockets.size);
        this.stop();
      }
      if (now >= this.#deadline + CONNECT_GRACE_MS) {
        for (const t of this.#tasks) if (!t.finished && this.#hub.kill(t)) this.#count("timeout");
      }
      yield sleep(20);
    }
    this.#endedAt = performance.now();
  }

  #count(kind: string, times = 1): void {
    if (times > 0) this.#errors[kind] = (this.#errors[kind] ?? 0) + times;
  }

  *#client(n: number): Gen {
    const out = message(n, this.options.size);
    const back = new Uint8Array(out.length);
    const { rounds, ratePerS, connections } = this.options;
    const intervalMs = ratePerS === undefined ? 0 : (connections / ratePerS) * 1000;
    const connecting = Deno.connect({ hostname: LOAD_HOST, port: this.options.port });
    let socket: Deno.TcpConn | null = null;
    try {
      socket = (yield wait(connecting, "connect")) as Deno.TcpConn;
    } catch (error) {
      if (!this.#stopping) this.#count(errorKind(error));
      return;
    } finally {
      // ended while connecting (killed at the deadline): close the socket if it comes
      if (socket === null) connecting.then((late) => late.close(), () => {});
      if (--this.#connecting === 0) this.#allConnected.resolve();
    }
    if (this.#stopping) {
      socket.close();
      return;
    }
    this.#connected++;
    this.#sockets.add(socket);
    // Connect all, then talk (as the bench's load does): with 1 000 clients
    // talking as they came, the async server took no new connection for
    // seconds once its first 512 (the backlog) were busy, and clients waited
    // 10 s for their first echo.
    if (this.#connecting > 0) yield wait(this.#allConnected.promise, "all connected");
    const first = performance.now();
    try {
      for (let r = 0; rounds === 0 || r < rounds; r++) {
        if (this.#stopping || performance.now() >= this.#deadline) break;
        if (intervalMs > 0) {
          const aheadMs = first + r * intervalMs - performance.now();
          if (aheadMs > 0) yield sleep(aheadMs * this.#hub.clock.speed);
          if (this.#stopping || performance.now() >= this.#deadline) break;
        }
        const t0 = performance.now();
        const problem = (yield wait(roundTrip(socket, out, back), "echo")) as string;
        if (problem !== "") {
          this.#count(problem);
          break;
        }
        this.#latency.record(performance.now() - t0);
        this.#roundTrips++;
        this.#bytesOut += out.length;
        this.#bytesIn += back.length;
      }
    } catch (error) {
      if (!this.#stopping) this.#count(errorKind(error));
    } finally {
      this.#sockets.delete(socket);
      try {
        socket.close();
      } catch {
        // closed by stop()
      }
    }
  }
}

/** Starts a load on `hub` (see LoadOptions); throws a LoadError when it cannot run. */
export function startLoad(hub: Hub, options: LoadOptions): LoadRun {
  return new LoadRun(hub, options);
}
