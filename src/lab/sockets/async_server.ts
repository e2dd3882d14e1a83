/**
 * The lesson's gevent server: one hub task per connection on Deno's own
 * sockets, each waiting in `wait(..., "read")` for its next message, so every
 * connection shows in the Coroutines panel. Deno's sockets complete
 * operations rather than report readiness, so this model's events are what
 * the tasks did (`READ n`, `WRITE n`, `EOF`...), and fds are hidden (-1).
 */
import { type Effect, type IoStart, sleep, wait, waitFor } from "../effects.ts";
import type { Hub } from "../hub.ts";
import type { Task } from "../task.ts";
import { Conn, type ConnectionInfo, Connections } from "./connections.ts";
import {
  EV_ACCEPT,
  EV_CLOSE,
  EV_EOF,
  EV_ERR,
  EV_READ,
  EV_RESET,
  EV_WRITE,
  EventRing,
} from "./event_ring.ts";
import type { EchoServer } from "./server.ts";
import { errorMessage } from "../../util/error_message.ts";

/** Each connection task reads into its own buffer of this size. */
const READ_SIZE = 16 * 1024;
const EMFILE_PAUSE_MS = 100;
const NOOP = (): void => {};

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
   * The IO behind each of a connection task's waits (`waitFor`'s start):
   * take the next message, write it all back, then end the wait (with
   * false at EOF). The next read is posted as soon as the echo is written,
   * before the task is back (Deno's own readers read ahead so too): the
   * client's next message never waits for the hub's turn, and the task's
   * next wait takes it. Everything here is made once per connection: no
   * async function, closure or view per round trip, only what Deno's
   * read and write allocate.
   */
  #echoIo(conn: Conn, socket: Deno.TcpConn): IoStart {
    const ring = this.ring;
    const buf = new Uint8Array(READ_SIZE);
    // the view the last whole echo was written from: a client's messages
    // are mostly one length, so most writes make no view
    let view = buf.subarray(0, 0);
    // the task's wait, armed while it waits
    let waiting = false;
    let done: (more: unknown) => void = NOOP;
    let failed: (error: unknown) => void = NOOP;
    // a read posted ahead, and what it got if it ended before the task waited again
    let reading = false;
    let ahead: number | null | undefined = undefined;
    let aheadError: unknown = undefined;
    let aheadFailed = false;
    let n = 0;
    let off = 0;

    const finish = (more: boolean): void => {
      waiting = false;
      done(more);
    };
    const fail = (error: unknown): void => {
      reading = false;
      if (waiting) {
        waiting = false;
        failed(error);
      } else {
        aheadFailed = true;
        aheadError = error;
      }
    };
    const write = (): void => {
      if (off !== 0) socket.write(buf.subarray(off, n)).then(wrote, fail);
      else {
        if (view.length !== n) view = buf.subarray(0, n);
        socket.write(view).then(wrote, fail);
      }
    };
    const echo = (got: number | null): void => {
      if (got === null) {
        ring.record(EV_EOF, conn.id, -1, 0);
        finish(false);
        return;
      }
      ring.record(EV_READ, conn.id, -1, got);
      ring.addBytesIn(got);
      conn.bytesIn += got;
      conn.lastEvent = EV_READ;
      n = got;
      off = 0;
      write();
    };
    const wrote = (w: number): void => {
      try {
        ring.record(EV_WRITE, conn.id, -1, w);
        ring.addBytesOut(w);
        conn.bytesOut += w;
        conn.lastEvent = EV_WRITE;
        off += w;
        if (off < n) {
          write();
          return;
        }
        readAhead();
      } catch (error) {
        fail(error);
        return;
      }
      finish(true); // outside the try: an error of the hub's is not the socket's
    };
    const got = (r: number | null): void => {
      reading = false;
      if (!waiting) {
        ahead = r;
        return;
      }
      try {
        echo(r);
      } catch (error) {
        fail(error);
      }
    };
    const readAhead = (): void => {
      reading = true;
      socket.read(buf).then(got, fail);
    };

    return (d, f) => {
      done = d;
      failed = f;
      waiting = true;
      if (aheadFailed) {
        aheadFailed = false;
        fail(aheadError);
      } else if (ahead !== undefined) {
        const r = ahead;
        ahead = undefined;
        echo(r);
      } else if (!reading) readAhead(); // the first wait
    };
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
    const start = this.#echoIo(conn, socket);
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
