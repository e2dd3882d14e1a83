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
 * The IO behind each of a connection task's waits (`waitFor`'s start):
 * take the next message, write it all back, then end the wait (with
 * false at EOF). The next read is posted as soon as the echo is written,
 * before the task is back: the client's next message never waits for the
 * hub's turn, and the task's next wait takes it (measured: 3-5% more round
 * trips a second than posting it from the next wait). Everything here is
 * made once per connection: no async function, closure or view per round
 * trip, only what Deno's read and write allocate. `busy` times a sample of
 * its calls (the server's CPU).
 */
export function asyncEcho(
  socket: EchoSocket,
  conn: Conn,
  ring: EventRing,
  busy: BusySampler,
): IoStart {
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
    if (off !== 0) socket.write(buf.subarray(off, n)).then(timedWrote, fail);
    else {
      if (view.length !== n) view = buf.subarray(0, n);
      socket.write(view).then(timedWrote, fail);
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
    socket.read(buf).then(timedGot, fail);
  };
  // the server's CPU: Deno's reads and writes make their syscalls in these calls
  const timedGot = (r: number | null): void => {
    const t0 = busy.start();
    got(r);
    busy.end(t0);
  };
  const timedWrote = (w: number): void => {
    const t0 = busy.start();
    wrote(w);
    busy.end(t0);
  };
  const start = (d: (more: unknown) => void, f: (error: unknown) => void): void => {
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
  return (d, f) => {
    const t0 = busy.start();
    start(d, f);
    busy.end(t0);
  };
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
