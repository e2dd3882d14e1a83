/**
 * The blocking model's own Worker: blocking sockets, one connection at a time
 * to the end, exactly as the lesson's first server. It really blocks in
 * `accept` and `recv` (other clients wait in the kernel's listen backlog),
 * which is why it runs here and not on the lab's thread.
 *
 * Blocked calls return every STOP_CHECK_MS (SO_RCVTIMEO/SO_SNDTIMEO) to look
 * at the stop flag; those timeouts are not events. `BLOCKED recv` is recorded
 * only when a recv would really wait (a MSG_DONTWAIT try said EAGAIN first).
 */
/// <reference lib="deno.worker" />
import {
  type BlockingStart,
  C_BYTES_IN,
  C_BYTES_OUT,
  C_CONN_ID,
  C_FD,
  C_LAST_EVENT,
  C_PEER_IP,
  C_PEER_PORT,
  C_SERVING,
  C_STOP,
  type ControlViews,
  controlViews,
  STOP_CHECK_MS,
} from "./blocking_protocol.ts";
import {
  CALL_ACCEPT,
  CALL_RECV,
  CALL_SEND,
  EV_ACCEPT,
  EV_BLOCKED,
  EV_CLOSE,
  EV_EOF,
  EV_ERR,
  EV_READ,
  EV_RESET,
  EV_WRITE,
  EventRing,
} from "./event_ring.ts";
import {
  EAGAIN,
  ECONNABORTED,
  ECONNRESET,
  EINTR,
  EMFILE,
  ENFILE,
  EPIPE,
  type Libc,
  libc,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  SOCK_CLOEXEC,
} from "./libc.ts";
import { PeerAddress } from "./raw_socket.ts";
import type { ServerWorkerReport } from "./server_worker.ts";
import { setTimeouts } from "./socket_timeouts.ts";
import { errorMessage } from "../../util/error_message.ts";

const BUF_SIZE = 64 * 1024;
const BUF_SIZE_N = BigInt(BUF_SIZE);

function report(message: ServerWorkerReport): void {
  self.postMessage(message);
}

class BlockingLoop {
  readonly #c: Libc;
  readonly #ring: EventRing;
  readonly #ctl: ControlViews;
  readonly #listenFd: number;
  readonly #buf = new Uint8Array(BUF_SIZE);
  readonly #peer = new PeerAddress();
  #nextId = 1;
  #lastNotice = -Infinity;

  constructor(start: BlockingStart) {
    this.#c = libc();
    this.#ring = new EventRing(start.ring);
    this.#ctl = controlViews(start.control);
    this.#listenFd = start.listenFd;
  }

  get #stopping(): boolean {
    return Atomics.load(this.#ctl.ints, C_STOP) !== 0;
  }

  run(): void {
    while (!this.#stopping) {
      const fd = this.#accept();
      if (fd >= 0) this.#serve(fd);
    }
  }

  /** Blocks in accept until a client comes (or stop); -1 when none did. */
  #accept(): number {
    const c = this.#c;
    this.#ring.record(EV_BLOCKED, 0, this.#listenFd, CALL_ACCEPT);
    while (!this.#stopping) {
      this.#peer.reset();
      const fd = c.sym.accept4(this.#listenFd, this.#peer.sa, this.#peer.len, SOCK_CLOEXEC);
      if (fd >= 0) return fd;
      const errno = c.errno();
      if (errno === EAGAIN || errno === EINTR || errno === ECONNABORTED) continue; // stop check
      this.#ring.record(EV_ERR, 0, this.#listenFd, errno);
      const now = performance.now();
      if (now - this.#lastNotice >= 1000) { // it fails again after every pause: once a second
        this.#lastNotice = now;
        const line = errno === EMFILE || errno === ENFILE
          ? "too many open files: new connections wait (raise 'ulimit -n')"
          : `accept failed: ${c.strerror(errno)}`;
        report({ type: "notice", line });
      }
      Atomics.wait(this.#ctl.ints, C_STOP, 0, 100); // a pause that stop can cut short
    }
    return -1;
  }

  /** One connection, start to end: recv, send it all back, until EOF, reset or stop. */
  #serve(fd: number): void {
    const c = this.#c;
    const ring = this.#ring;
    const id = this.#nextId++;
    const { ints, floats } = this.#ctl;
    ints[C_CONN_ID] = id;
    ints[C_FD] = fd;
    ints[C_PEER_IP] = this.#peer.ip | 0;
    ints[C_PEER_PORT] = this.#peer.port;
    floats[C_BYTES_IN] = floats[C_BYTES_OUT] = 0;
    ints[C_SERVING] = 1;
    ring.setOpen(1);
    this.#event(EV_ACCEPT, id, fd, 0);
    setTimeouts(c, fd, STOP_CHECK_MS);
    let end = EV_EOF;
    let endN = 0;
    for (;;) {
      let n = c.sym.recv(fd, this.#buf, BUF_SIZE_N, MSG_DONTWAIT);
      if (n < 0 && c.errno() === EAGAIN) {
        this.#event(EV_BLOCKED, id, fd, CALL_RECV);
        do n = c.sym.recv(fd, this.#buf, BUF_SIZE_N, 0); while (
          n < 0 && (c.errno() === EAGAIN || c.errno() === EINTR) && !this.#stopping
        );
      }
      if (n > 0) {
        this.#event(EV_READ, id, fd, n);
        ring.addBytesIn(n);
        floats[C_BYTES_IN]! += n;
        const errno = this.#sendAll(id, fd, n);
        if (errno === 0) continue;
        end = errno === EPIPE || errno === ECONNRESET ? EV_RESET : EV_ERR;
        endN = errno;
        break;
      }
      if (n === 0) break;
      if (this.#stopping) {
        end = -1;
        break;
      }
      endN = c.errno();
      end = endN === ECONNRESET ? EV_RESET : EV_ERR;
      break;
    }
    if (end >= 0) this.#event(end, id, fd, endN);
    c.sym.close(fd);
    this.#event(EV_CLOSE, id, fd, 0);
    ints[C_SERVING] = 0;
    ring.setOpen(0);
  }

  /** send until all n bytes are out; 0, or the errno that stopped it. */
  #sendAll(id: number, fd: number, n: number): number {
    const c = this.#c;
    let off = 0;
    let blocked = false;
    while (off < n) {
      const from = off === 0 ? this.#buf : this.#buf.subarray(off, n);
      const w = c.sym.send(fd, from, BigInt(n - off), MSG_NOSIGNAL);
      if (w > 0) {
        this.#event(EV_WRITE, id, fd, w);
        this.#ring.addBytesOut(w);
        this.#ctl.floats[C_BYTES_OUT]! += w;
        off += w;
        blocked = false;
        continue;
      }
      const errno = c.errno();
      if (errno !== EAGAIN && errno !== EINTR) return errno;
      if (this.#stopping) return EPIPE;
      // the client is not reading: send waits (SO_SNDTIMEO lets us look at stop)
      if (!blocked) this.#event(EV_BLOCKED, id, fd, CALL_SEND);
      blocked = true;
    }
    return 0;
  }

  #event(kind: number, id: number, fd: number, n: number): void {
    this.#ring.record(kind, id, fd, n);
    this.#ctl.ints[C_LAST_EVENT] = kind;
  }
}

self.onmessage = (e: MessageEvent<BlockingStart>) => {
  try {
    const loop = new BlockingLoop(e.data);
    report({ type: "ready" });
    loop.run();
    report({ type: "stopped" });
  } catch (error) {
    report({ type: "failed", message: errorMessage(error) });
  }
};
