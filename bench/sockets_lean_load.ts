/**
 * The sockets bench's load generator: N closed-loop connections (each sends
 * `hello <n>`, waits for the whole echo, checks it and sends again), driven
 * by one epoll loop through FFI that blocks in `epoll_wait` on the thread it
 * runs on (a Worker of its own). A round trip costs it a `recv`, a `send` and
 * a clock read, a few µs, against about 20 µs for the lab's hub-task load
 * client: with that one, every server measured the client; with this one the
 * server is the bottleneck, and servers can be told apart.
 *
 * Round trips are counted over a window that opens once every connection is
 * up (connecting 1 000 clients is no part of the figure). Over the same
 * window, the CPU time of every thread of the process but this one (from
 * /proc's schedstat, in ns) is what serving cost: the server's thread, its
 * helpers, GC; a figure that other work on the machine hardly moves.
 */
import {
  AF_INET,
  EAGAIN,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLLIN,
  IPPROTO_TCP,
  type Libc,
  MSG_NOSIGNAL,
  SOCK_CLOEXEC,
  SOCK_STREAM,
  TCP_NODELAY,
} from "../src/lab/sockets/libc.ts";
import { setNonblocking, sockaddrIn } from "../src/lab/sockets/raw_socket.ts";
import { LatencyHistogram } from "../src/lab/sockets/latency.ts";
import { message } from "../src/lab/sockets/load_client.ts";

/** What a run measured (the shape the bench reports from). */
export interface LeanStats {
  connections: number;
  roundTrips: number;
  windowMs: number;
  roundTripsPerS: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  errors: number;
  /** CPU µs the rest of the process (the server) spent per round trip in the window. */
  serverCpuUsPerRt: number;
}

/** CPU ns so far of every thread of this process but the calling one. */
export function otherThreadsCpuNs(): number {
  const self = Deno.readLinkSync("/proc/thread-self").split("/").pop();
  let ns = 0;
  for (const e of Deno.readDirSync("/proc/self/task")) {
    if (e.name === self) continue;
    try {
      ns += Number(Deno.readTextFileSync(`/proc/self/task/${e.name}/schedstat`).split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns;
}

const PACKED = Deno.build.arch === "x86_64";
const EVENT_SIZE = PACKED ? 12 : 16;
/** Where an epoll event's fd (its data word) is, in 32-bit words. */
const FD_WORD = (PACKED ? 4 : 8) / 4;
const MAX_EVENTS = 1024;
/** How long after the last connect the window opens (the servers settle). */
const WARMUP_MS = 150;

export interface Client {
  fd: number;
  out: Uint8Array;
  outLen: bigint;
  got: number;
  sentAt: number;
  /** Which server of the run it talks to (0 when there is one). */
  server: number;
  /** Echoes that came back other than sent. */
  wrong: number;
}

/**
 * The load's clients on one epoll, and the buffers every load loop reads
 * them with: open them, send, wait for input, take the echoes; `close()`
 * ends them all.
 */
export class LoadClients {
  readonly #c: Libc;
  readonly #ep: number;
  readonly #byFd: (Client | undefined)[] = [];
  readonly #events = new Uint8Array(MAX_EVENTS * EVENT_SIZE);
  readonly #words = new Uint32Array(this.#events.buffer);
  readonly #back = new Uint8Array(4096);
  readonly #backLen = BigInt(this.#back.length);

  constructor(c: Libc) {
    this.#c = c;
    this.#ep = c.sym.epoll_create1(EPOLL_CLOEXEC);
    if (this.#ep < 0) throw new Error(`epoll_create1: ${c.strerror(c.errno())}`);
  }

  /** Opens `connections` non-blocking clients to 127.0.0.1:`port`, watched for input. */
  open(port: number, connections: number, server = 0): Client[] {
    const c = this.#c;
    const sa = sockaddrIn(new Uint8Array([127, 0, 0, 1]), port);
    const one = new Int32Array([1]);
    const ctl = new Uint8Array(EVENT_SIZE);
    const ctlWords = new Uint32Array(ctl.buffer);
    const opened: Client[] = [];
    for (let i = 0; i < connections; i++) {
      const fd = c.sym.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) throw new Error(`socket: ${c.strerror(c.errno())}`);
      if (c.sym.connect(fd, sa, 16) < 0) {
        const text = c.strerror(c.errno());
        c.sym.close(fd);
        throw new Error(`connect to :${port}: ${text}`);
      }
      c.sym.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, one, 4);
      setNonblocking(c, fd, true);
      ctlWords[0] = EPOLLIN;
      ctlWords[FD_WORD] = fd;
      c.sym.epoll_ctl(this.#ep, EPOLL_CTL_ADD, fd, ctl);
      const out = message(i + 1);
      const client: Client = {
        fd,
        out,
        outLen: BigInt(out.length),
        got: 0,
        sentAt: 0,
        server,
        wrong: 0,
      };
      this.#byFd[fd] = client;
      opened.push(client);
    }
    return opened;
  }

  /** Sends `cl`'s message again; false on an error (a few bytes always fit an empty socket buffer). */
  send(cl: Client): boolean {
    cl.got = 0;
    cl.sentAt = performance.now();
    return this.#c.sym.send(cl.fd, cl.out, cl.outLen, MSG_NOSIGNAL) === cl.out.length;
  }

  /** Waits up to `ms` for input; the number of ready events (`clientOf` each). */
  wait(ms: number): number {
    return this.#c.sym.epoll_wait(this.#ep, this.#events, MAX_EVENTS, ms);
  }

  /** The client of ready event `i`, or undefined once dropped. */
  clientOf(i: number): Client | undefined {
    return this.#byFd[this.#words[i * (EVENT_SIZE / 4) + FD_WORD]!];
  }

  /**
   * Takes what came for `cl` into its echo, checked against what was sent
   * (`wrong` counts the echoes that differ): the bytes read (the echo is
   * whole once `got` reaches the message's length), 0 when nothing was
   * there, -1 at EOF or on an error.
   */
  receive(cl: Client): number {
    const c = this.#c;
    const r = c.sym.recv(cl.fd, this.#back, this.#backLen, 0);
    if (r <= 0) return r < 0 && c.errno() === EAGAIN ? 0 : -1;
    const back = this.#back;
    const out = cl.out;
    const from = cl.got;
    cl.got += r;
    for (let k = 0; k < r; k++) {
      if (back[k] !== out[from + k]) {
        cl.wrong++;
        break;
      }
    }
    return r;
  }

  /** Closes one client. */
  drop(cl: Client): void {
    this.#c.sym.close(cl.fd);
    this.#byFd[cl.fd] = undefined;
  }

  /** Closes every client and the epoll. */
  close(): void {
    for (const cl of this.#byFd) if (cl !== undefined) this.#c.sym.close(cl.fd);
    this.#c.sym.close(this.#ep);
  }
}

/** Runs the load against 127.0.0.1:`port`; blocks this thread for the run's length. */
export function runLeanLoad(
  c: Libc,
  port: number,
  connections: number,
  durationMs: number,
): LeanStats {
  const io = new LoadClients(c);
  const latency = new LatencyHistogram();
  let errors = 0;
  try {
    const open = io.open(port, connections);
    for (const cl of open) if (!io.send(cl)) errors++;
    const start = performance.now();
    const windowStart = start + WARMUP_MS;
    const windowEnd = windowStart + durationMs;
    let counted = 0;
    let before = -1;
    let cpuBefore = 0;
    let openedAt = 0;
    let now = start;
    while (now < windowEnd) {
      const n = io.wait(50);
      now = performance.now();
      if (before < 0 && now >= windowStart) {
        before = counted;
        cpuBefore = otherThreadsCpuNs();
        openedAt = now;
      }
      for (let i = 0; i < n; i++) {
        const cl = io.clientOf(i);
        if (cl === undefined) continue;
        const r = io.receive(cl);
        if (r === 0) continue;
        if (r < 0) {
          errors++;
          io.drop(cl);
          continue;
        }
        if (cl.got < cl.out.length) continue;
        counted++;
        if (now >= windowStart) latency.record(now - cl.sentAt);
        if (!io.send(cl)) errors++;
      }
    }
    const cpuNs = otherThreadsCpuNs() - cpuBefore;
    // the echo must be what was sent, in order
    for (const cl of open) errors += cl.wrong;
    if (before < 0) before = counted;
    const windowMs = now - openedAt;
    const s = latency.summary();
    const trips = counted - before;
    return {
      connections,
      roundTrips: trips,
      windowMs,
      roundTripsPerS: trips / (windowMs / 1000),
      p50: s.p50,
      p99: s.p99,
      errors,
      serverCpuUsPerRt: trips > 0 ? cpuNs / 1000 / trips : 0,
    };
  } finally {
    io.close();
  }
}
