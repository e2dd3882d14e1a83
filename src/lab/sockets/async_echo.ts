/**
 * The async model's round trip: the IO behind each wait of a connection's
 * task (`waitFor`'s start), on a Deno socket (or anything that reads and
 * writes as one does: the hub bench's stand-in).
 */
import type { IoStart } from "../effects.ts";
import type { Conn } from "./connections.ts";
import { EV_EOF, EV_READ, EV_WRITE, type EventRing } from "./event_ring.ts";

/** What the echo needs of a socket. */
export type EchoSocket = Pick<Deno.TcpConn, "read" | "write">;

const READ_SIZE = 16 * 1024;
const NOOP = (): void => {};

/**
 * The IO behind each of a connection task's waits (`start`, given to
 * `waitFor`): take the next message, write it all back, then end the wait
 * (with false at EOF). The next read is posted as soon as the echo is
 * written, before the task is back: the client's next message never waits
 * for the hub's turn, and the task's next wait takes it (measured: 3-5%
 * more round trips a second than posting it from the next wait).
 *
 * One object per connection, its state in its fields and three callbacks
 * made once: a round trip allocates only what Deno's read and write do,
 * and touches few cache lines (with 1 000 connections, each a closure of
 * its own per step cost 5% of the round trips). `busy` times a sample of
 * its calls (the server's CPU).
 */
export class AsyncEcho {
  /** Starts (or takes up) the next round trip: `waitFor(echo.start, "read")`. */
  readonly start: IoStart;
  readonly #socket: EchoSocket;
  readonly #conn: Conn;
  readonly #ring: EventRing;
  readonly #busy: BusySampler;
  readonly #buf = new Uint8Array(READ_SIZE);
  // the view the last whole echo was written from: a client's messages
  // are mostly one length, so most writes make no view
  #view: Uint8Array;
  // the task's wait, armed while it waits
  #waiting = false;
  #done: (more: unknown) => void = NOOP;
  #failed: (error: unknown) => void = NOOP;
  // a read posted ahead, and what it got if it ended before the task waited again
  #reading = false;
  #ahead: number | null | undefined = undefined;
  #aheadFailed = false;
  #aheadError: unknown = undefined;
  #n = 0;
  #off = 0;
  readonly #onRead: (got: number | null) => void;
  readonly #onWrote: (wrote: number) => void;
  readonly #onFail: (error: unknown) => void;

  constructor(socket: EchoSocket, conn: Conn, ring: EventRing, busy: BusySampler) {
    this.#socket = socket;
    this.#conn = conn;
    this.#ring = ring;
    this.#busy = busy;
    this.#view = this.#buf.subarray(0, 0);
    // the server's CPU: Deno's reads and writes make their syscalls in these calls
    this.start = (done, failed) => {
      const t0 = busy.start();
      this.#start(done, failed);
      busy.end(t0);
    };
    this.#onRead = (got) => {
      const t0 = busy.start();
      this.#read(got);
      busy.end(t0);
    };
    this.#onWrote = (wrote) => {
      const t0 = busy.start();
      this.#wrote(wrote);
      busy.end(t0);
    };
    this.#onFail = (error) => this.#fail(error);
  }

  #start(done: (more: unknown) => void, failed: (error: unknown) => void): void {
    this.#done = done;
    this.#failed = failed;
    this.#waiting = true;
    if (this.#aheadFailed) {
      this.#aheadFailed = false;
      this.#fail(this.#aheadError);
    } else if (this.#ahead !== undefined) {
      const got = this.#ahead;
      this.#ahead = undefined;
      this.#echo(got);
    } else if (!this.#reading) this.#readAhead(); // the first wait
  }

  #readAhead(): void {
    this.#reading = true;
    this.#socket.read(this.#buf).then(this.#onRead, this.#onFail);
  }

  #read(got: number | null): void {
    this.#reading = false;
    if (!this.#waiting) {
      this.#ahead = got;
      return;
    }
    try {
      this.#echo(got);
    } catch (error) {
      this.#fail(error);
    }
  }

  #echo(got: number | null): void {
    const conn = this.#conn;
    if (got === null) {
      this.#ring.record(EV_EOF, conn.id, -1, 0);
      this.#finish(false);
      return;
    }
    this.#ring.record(EV_READ, conn.id, -1, got);
    this.#ring.addBytesIn(got);
    conn.bytesIn += got;
    conn.lastEvent = EV_READ;
    this.#n = got;
    this.#off = 0;
    this.#write();
  }

  #write(): void {
    const off = this.#off;
    const n = this.#n;
    let view: Uint8Array;
    if (off !== 0) view = this.#buf.subarray(off, n);
    else {
      if (this.#view.length !== n) this.#view = this.#buf.subarray(0, n);
      view = this.#view;
    }
    this.#socket.write(view).then(this.#onWrote, this.#onFail);
  }

  #wrote(wrote: number): void {
    const conn = this.#conn;
    try {
      this.#ring.record(EV_WRITE, conn.id, -1, wrote);
      this.#ring.addBytesOut(wrote);
      conn.bytesOut += wrote;
      conn.lastEvent = EV_WRITE;
      this.#off += wrote;
      if (this.#off < this.#n) {
        this.#write();
        return;
      }
      this.#readAhead();
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#finish(true); // outside the try: an error of the hub's is not the socket's
  }

  #finish(more: boolean): void {
    this.#waiting = false;
    this.#done(more);
  }

  #fail(error: unknown): void {
    this.#reading = false;
    if (this.#waiting) {
      this.#waiting = false;
      this.#failed(error);
    } else {
      this.#aheadFailed = true;
      this.#aheadError = error;
    }
  }
}

/** Calls timed: 1 in SAMPLE_EVERY (a power of two). */
const SAMPLE_EVERY = 32;

/**
 * The async server's CPU, as its `busyMs` (what the other models time
 * around their loops' work): the time spent in its echoes' calls, where
 * Deno makes the reads' and writes' syscalls. A clock read costs about as
 * much as a round trip's JS here, so 1 call in SAMPLE_EVERY is timed and
 * counts for SAMPLE_EVERY: exact enough for a server busy enough to show.
 */
export class BusySampler {
  readonly #ring: EventRing;
  #calls = 0;

  constructor(ring: EventRing) {
    this.#ring = ring;
  }

  /** The clock now if this call is one of those timed, else -1. */
  start(): number {
    this.#calls = (this.#calls + 1) & (SAMPLE_EVERY - 1);
    return this.#calls === 0 ? performance.now() : -1;
  }

  /** Ends a call begun with `start()`. */
  end(t0: number): void {
    if (t0 >= 0) this.#ring.addBusyMs((performance.now() - t0) * SAMPLE_EVERY);
  }
}
