/**
 * The multiplexed server's default poller: `epoll`, whose cost does not grow
 * with the number of sockets watched, only with the number ready.
 */
import {
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EPOLLIN,
  type Libc,
} from "./libc.ts";
import { type Poller, WakeFd, wakeFdFor } from "./poller.ts";
import { SocketError } from "./raw_socket.ts";

/** Ready fds returned per call at most; more wait for the next call. */
const MAX_EVENTS = 512;
/**
 * struct epoll_event: u32 events, then u64 data, packed on x86_64 (12 bytes)
 * and naturally aligned elsewhere (16 bytes, data at 8).
 */
const PACKED = Deno.build.arch === "x86_64";
const EVENT_SIZE = PACKED ? 12 : 16;
const DATA_OFFSET = PACKED ? 4 : 8;
/** 32-bit words per event, and where the fd (data's low half) is among them. */
const EVENT_WORDS = EVENT_SIZE / 4;
const FD_WORD = DATA_OFFSET / 4;

export class EpollPoller implements Poller {
  readonly name = "epoll" as const;
  readonly wakeFd: number;
  readonly #c: Libc;
  readonly #ep: number;
  readonly #wake: WakeFd;
  readonly #ownsWake: boolean;
  readonly #ctl = new Uint8Array(EVENT_SIZE);
  readonly #ctlView = new DataView(this.#ctl.buffer);
  readonly #events = new Uint8Array(MAX_EVENTS * EVENT_SIZE);
  readonly #words = new Uint32Array(this.#events.buffer);

  /** `wakeFd`: an eventfd of the caller's to wake the poller with (else it makes its own). */
  constructor(c: Libc, wakeFd?: number) {
    this.#c = c;
    this.#ep = c.sym.epoll_create1(EPOLL_CLOEXEC);
    if (this.#ep < 0) throw new SocketError(`epoll_create1: ${c.strerror(c.errno())}`, c.errno());
    let wake;
    try {
      wake = wakeFdFor(c, wakeFd);
    } catch (error) {
      c.sym.close(this.#ep);
      throw error;
    }
    this.#wake = new WakeFd(c, wake.fd);
    this.#ownsWake = wake.owned;
    this.wakeFd = wake.fd;
    this.add(wake.fd, EPOLLIN);
  }

  #control(op: number, fd: number, interest: number): void {
    this.#ctlView.setUint32(0, interest, true);
    this.#ctlView.setUint32(DATA_OFFSET, fd, true);
    this.#ctlView.setUint32(DATA_OFFSET + 4, 0, true);
    if (this.#c.sym.epoll_ctl(this.#ep, op, fd, this.#ctl) < 0) {
      const errno = this.#c.errno();
      throw new SocketError(`epoll_ctl fd ${fd}: ${this.#c.strerror(errno)}`, errno);
    }
  }

  add(fd: number, interest: number): void {
    this.#control(EPOLL_CTL_ADD, fd, interest);
  }

  modify(fd: number, interest: number): void {
    this.#control(EPOLL_CTL_MOD, fd, interest);
  }

  remove(fd: number): void {
    // closing the fd removes it too; removing first keeps the set exact if the fd was dup'ed
    this.#c.sym.epoll_ctl(this.#ep, EPOLL_CTL_DEL, fd, this.#ctl);
  }

  wait(timeoutMs: number): number {
    const n = this.#c.sym.epoll_wait(this.#ep, this.#events, MAX_EVENTS, timeoutMs);
    return n < 0 ? 0 : n; // EINTR: nothing ready this time
  }

  fd(i: number): number {
    return this.#words[i * EVENT_WORDS + FD_WORD]!;
  }

  flags(i: number): number {
    return this.#words[i * EVENT_WORDS]!;
  }

  wake(): void {
    this.#wake.wake();
  }

  drainWake(): void {
    this.#wake.drain();
  }

  close(): void {
    if (this.#ownsWake) this.#c.sym.close(this.wakeFd);
    this.#c.sym.close(this.#ep);
  }
}
