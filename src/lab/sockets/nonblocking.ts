/**
 * The lesson's "non-blocking but busy" server: `O_NONBLOCK` sockets polled in
 * a loop. Each sweep tries accept on the listening socket and recv on every
 * connection; most answer EAGAIN ("nothing yet"), which is counted (not
 * logged one by one) along with the time the sweeps burn. Between sweeps the
 * loop lets the event loop in, so the lab stays responsive, but it never
 * waits for readiness: that is the CPU this model costs.
 */
import { Acceptor } from "./acceptor.ts";
import { type Conn, type ConnectionInfo, Connections } from "./connections.ts";
import { EchoIo, IO_AGAIN, IO_DONE, IO_PENDING } from "./echo_io.ts";
import { EV_CLOSE, EventRing } from "./event_ring.ts";
import type { Libc } from "./libc.ts";
import { listenTcp } from "./raw_socket.ts";
import type { EchoServer } from "./server.ts";
import { errorMessage } from "../../util/error_message.ts";

/** Connections accepted per sweep at most, so a burst of clients cannot starve the others. */
const ACCEPTS_PER_SWEEP = 64;

export class NonblockingServer implements EchoServer {
  readonly model = "nonblocking" as const;
  readonly bind: string;
  readonly port: number;
  readonly poller = null;
  readonly ring: EventRing;
  readonly #c: Libc;
  readonly #listenFd: number;
  readonly #conns: Connections;
  readonly #io: EchoIo;
  readonly #acceptor: Acceptor;
  readonly #notice: (line: string) => void;
  /** The connections as an array, swept in order (removal swaps with the last). */
  #live: Conn[] = [];
  #stopping = false;
  readonly #done: Promise<void>;

  constructor(
    c: Libc,
    options: { bind: string; port: number; ringCapacity: number; notice: (line: string) => void },
  ) {
    this.#c = c;
    this.bind = options.bind;
    this.#notice = options.notice;
    this.ring = new EventRing(options.ringCapacity);
    const listening = listenTcp(c, { bind: options.bind, port: options.port, nonblocking: true });
    this.port = listening.port;
    this.#listenFd = listening.fd;
    this.#conns = new Connections(this.ring);
    this.#io = new EchoIo(c, this.ring);
    this.#acceptor = new Acceptor(c, this.ring, this.#conns, this.#listenFd, this.#notice);
    this.#done = this.#loop().catch((error) => {
      this.#notice(`non-blocking server stopped: ${errorMessage(error)}`);
    }).finally(() => this.#closeAll());
  }

  connections(max?: number): ConnectionInfo[] {
    return this.#conns.list(max);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#done;
  }

  async #loop(): Promise<void> {
    let last = performance.now();
    while (!this.#stopping) {
      const eagain = this.#sweep(last);
      this.ring.countEagain(eagain);
      // a round trip through Deno's thread pool: this thread's event loop polls io
      // and timers meanwhile (a message-port hop would not let io in), and then
      // the loop goes on at once: busy, but not deaf
      await this.#c.sym.sched_yield_async();
      // the loop never waits for anything, so all of its time counts as busy: an idle
      // server burns a core between this thread and the pool (the lesson's point)
      const now = performance.now();
      this.ring.addBusyMs(now - last);
      last = now;
    }
  }

  /** One pass over every socket; returns how many calls said EAGAIN. */
  #sweep(now: number): number {
    let eagain = 0;
    if (now >= this.#acceptor.pausedUntil) {
      let accepted = 0;
      for (; accepted < ACCEPTS_PER_SWEEP; accepted++) {
        const conn = this.#acceptor.accept();
        if (conn === null) break;
        this.#live.push(conn);
      }
      if (accepted < ACCEPTS_PER_SWEEP && now >= this.#acceptor.pausedUntil) eagain++;
    }
    const live = this.#live;
    for (let i = 0; i < live.length; i++) {
      const conn = live[i]!;
      // a backlog to send first; reading waits until it is gone (backpressure)
      let result = conn.pendingEnd > conn.pendingStart ? this.#io.flush(conn) : IO_AGAIN;
      if (result !== IO_PENDING && result !== IO_DONE) result = this.#io.readAndEcho(conn);
      if (result === IO_AGAIN) eagain++;
      else if (result === IO_DONE) {
        this.#close(conn);
        live[i] = live[live.length - 1]!;
        live.pop();
        i--;
      }
    }
    return eagain;
  }

  #close(conn: Conn): void {
    this.#c.sym.close(conn.fd);
    conn.state = "closed";
    this.ring.record(EV_CLOSE, conn.id, conn.fd, 0);
    this.#conns.delete(conn);
  }

  #closeAll(): void {
    for (const conn of this.#live) this.#close(conn);
    this.#live = [];
    this.#c.sym.close(this.#listenFd);
  }
}
