/**
 * The lesson's gevent server: one hub task per connection on Deno's own
 * sockets, each waiting in `wait(..., "read")` for its next message, so every
 * connection shows in the Coroutines panel. Deno's sockets complete
 * operations rather than report readiness, so this model's events are what
 * the tasks did (`READ n`, `WRITE n`, `EOF`...), and fds are hidden (-1).
 */
import { type Effect, sleep, wait, waitFor } from "../effects.ts";
import type { Hub } from "../hub.ts";
import type { Task } from "../task.ts";
import { Conn, type ConnectionInfo, Connections } from "./connections.ts";
import { EV_ACCEPT, EV_CLOSE, EV_ERR, EV_RESET, EventRing } from "./event_ring.ts";
import type { EchoServer } from "./server.ts";
import { AsyncEcho, BusySampler } from "./async_echo.ts";
import { errorMessage } from "../../util/error_message.ts";

const EMFILE_PAUSE_MS = 100;

type Gen = Generator<Effect | undefined, void, unknown>;

/** One line for a failure to listen with Deno's sockets. */
export function denoListenErrorText(bind: string, port: number, error: unknown): string {
  const where = `${bind}:${port}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return `cannot listen on ${where}: port in use (try another --port)`;
  }
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return `cannot listen on ${where}: no such local address`;
  }
  return `cannot listen on ${where}: ${errorMessage(error)}`;
}

function isReset(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.ConnectionAborted;
}

function isOutOfFds(error: unknown): boolean {
  return /too many open files|os error 2[34]\b/i.test(errorMessage(error));
}

export class AsyncServer implements EchoServer {
  readonly model = "async" as const;
  readonly bind: string;
  readonly port: number;
  readonly poller = null;
  readonly ring: EventRing;
  readonly #hub: Hub;
  readonly #listener: Deno.TcpListener;
  readonly #conns: Connections;
  readonly #sockets = new Map<Conn, Deno.TcpConn>();
  readonly #tasks = new Set<Task>();
  readonly #notice: (line: string) => void;
  readonly #acceptTask: Task;
  readonly #busy: BusySampler;
  #stopping = false;
  #lastNotice = -Infinity;
  #stopped: Promise<void> | null = null;

  constructor(
    hub: Hub,
    options: { bind: string; port: number; ringCapacity: number; notice: (line: string) => void },
  ) {
    this.#hub = hub;
    this.bind = options.bind;
    this.#notice = options.notice;
    this.ring = new EventRing(options.ringCapacity);
    this.ring.shareClockReads();
    this.#conns = new Connections(this.ring);
    this.#busy = new BusySampler(this.ring);
    this.#listener = Deno.listen({ hostname: options.bind, port: options.port });
    this.port = this.#listener.addr.port;
    // Waiting seconds for the next client (or a connection for its client's
    // next message) is normal for a server: `idleWaits`, never "far longer
    // than its peers".
    this.#acceptTask = hub.spawn(`echo :${this.port}`, () => this.#acceptLoop(), {
      group: "echo-async",
      idleWaits: true,
      parent: null,
    });
  }

  connections(max?: number): ConnectionInfo[] {
    return this.#conns.list(max);
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#stopping = true;
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    // a closed socket ends the read its task waits in; the task then records CLOSE
    for (const socket of this.#sockets.values()) {
      try {
        socket.close();
      } catch {
        // already closed by its task
      }
    }
    await this.#acceptTask.whenFinished();
    await Promise.all([...this.#tasks].map((t) => t.whenFinished()));
  }

  *#acceptLoop(): Gen {
    while (!this.#stopping) {
      let socket: Deno.TcpConn;
      try {
        socket = (yield wait(this.#listener.accept(), "accept")) as Deno.TcpConn;
      } catch (error) {
        if (this.#stopping) return;
        this.ring.record(EV_ERR, 0, -1, 0);
        if (isOutOfFds(error)) {
          // accept fails again after every pause: say it once a second at most
          const now = performance.now();
          if (now - this.#lastNotice >= 1000) {
            this.#lastNotice = now;
            this.#notice(
              `too many open files: new connections wait; serving the ${this.#conns.size} open ` +
                `(raise 'ulimit -n')`,
            );
          }
          yield sleep(EMFILE_PAUSE_MS);
          continue;
        }
        this.#notice(`accept failed: ${errorMessage(error)}`);
        return;
      }
      const peer = socket.remoteAddr;
      const conn = new Conn(this.#conns.nextId(), -1, 0, 0, `${peer.hostname}:${peer.port}`);
      this.#conns.add(conn);
      this.#sockets.set(conn, socket);
      this.ring.record(EV_ACCEPT, conn.id, -1, 0);
      conn.lastEvent = EV_ACCEPT;
      const task = this.#hub.spawn(
        `conn #${conn.id} ${conn.peerText}`,
        () => this.#serve(conn, socket),
        { group: "echo-async", idleWaits: true },
      );
      conn.taskId = task.id;
      this.#tasks.add(task);
      task.whenFinished().then(() => this.#tasks.delete(task));
    }
  }

  /**
   * One connection: read, write it all back, until EOF, reset or stop. Each
   * round trip is one hub wait, on the read and the echo that follows it, as
   * gevent's `sendall` goes on without a switch while the socket takes the
   * bytes: the task waits in the hub for the client's next message, not
   * for its own writes.
   */
  *#serve(conn: Conn, socket: Deno.TcpConn): Gen {
    const ring = this.ring;
    const { start } = new AsyncEcho(socket, conn, ring, this.#busy);
    try {
      while ((yield waitFor(start, "read")) as boolean) {
        // the next round trip
      }
    } catch (error) {
      if (!this.#stopping) ring.record(isReset(error) ? EV_RESET : EV_ERR, conn.id, -1, 0);
    } finally {
      try {
        socket.close();
      } catch {
        // closed by stop()
      }
      this.#sockets.delete(conn);
      conn.state = "closed";
      ring.record(EV_CLOSE, conn.id, -1, 0);
      this.#conns.delete(conn);
    }
  }
}
