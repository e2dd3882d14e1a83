/**
 * What every echo server writes: a bounded ring of socket events (the last
 * `capacity` are kept, older ones are overwritten) and, beside it, exact
 * counters per kind and per second that never drop anything.
 *
 * Everything lives in one SharedArrayBuffer of plain numbers, so the blocking
 * model's own Worker writes into the same ring the lab reads, and recording
 * an event allocates nothing (a server records three per round trip). There
 * is one writer per ring; readers may see the newest entry half-written,
 * which a dashboard can live with.
 */

/** Event kinds, as the kernel or the handler reported them. */
export const EV_ACCEPT = 0;
export const EV_READABLE = 1;
export const EV_WRITABLE = 2;
export const EV_HUP = 3;
export const EV_ERR = 4;
export const EV_READ = 5;
export const EV_WRITE = 6;
/** Counted only, never put in the ring one by one (a polling loop makes millions). */
export const EV_EAGAIN = 7;
export const EV_BLOCKED = 8;
export const EV_EOF = 9;
export const EV_RESET = 10;
export const EV_CLOSE = 11;
export const KIND_COUNT = 12;

export const KIND_NAMES: readonly string[] = [
  "ACCEPT",
  "READABLE",
  "WRITABLE",
  "HUP",
  "ERR",
  "READ",
  "WRITE",
  "EAGAIN",
  "BLOCKED",
  "EOF",
  "RESET",
  "CLOSE",
];

/** `BLOCKED` events say which call blocks: `n` is one of these. */
export const CALL_ACCEPT = 1;
export const CALL_RECV = 2;
export const CALL_SEND = 3;
const CALL_NAMES = ["", "accept", "recv", "send"];

/** One event as a reader sees it. */
export interface SocketEvent {
  /** Position in the stream of all events ever recorded (0, 1, 2...). */
  seq: number;
  /** Epoch milliseconds (performance.timeOrigin + performance.now()). */
  atMs: number;
  kind: number;
  /** The server's connection id (1, 2...), 0 for the listening socket. */
  conn: number;
  /** The kernel's fd, or -1 where Deno's sockets hide it (the async model). */
  fd: number;
  /** Bytes for READ/WRITE, errno for ERR, the call for BLOCKED, kernel flags for READABLE. */
  n: number;
}

/** Counters over one second, exact. */
export interface SecondCounts {
  /** Whole epoch second. */
  second: number;
  /** By kind (index = EV_*). */
  kinds: number[];
  bytesIn: number;
  bytesOut: number;
}

/** Seconds of per-second counters kept (a power of two). */
export const SECONDS_KEPT = 64;
const SECOND_MASK = SECONDS_KEPT - 1;
/** Per-second slot: [second, bytesIn, bytesOut, ...kinds]. */
const SLOT = 3 + KIND_COUNT;

// the gauges: server-wide figures that are not events
const G_SEQ = 0;
const G_BYTES_IN = 1;
const G_BYTES_OUT = 2;
const G_OPEN = 3;
const G_MAX_OPEN = 4;
const G_BUSY_MS = 5;
const GAUGES = 6;

/** Events that share one clock read at most (see `EventRing.shareClockReads`). */
const STAMP_EVERY = 32;

/** Epoch ms, comparable across Workers. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The shared memory of a ring, to hand to another Worker. */
export interface RingMemory {
  capacity: number;
  buffer: SharedArrayBuffer;
}

export class EventRing {
  readonly capacity: number;
  readonly memory: RingMemory;
  readonly #mask: number;
  readonly #at: Float64Array;
  readonly #ints: Int32Array; // [conn, fd, n] per entry
  readonly #kinds: Uint8Array;
  readonly #totals: Float64Array;
  readonly #gauges: Float64Array;
  readonly #seconds: Float64Array;
  #currentSecond = -1;
  /** Epoch ms bounds of the current second: an event inside them needs no division. */
  #secondStartMs = Infinity;
  #secondEndMs = -Infinity;
  #slot = 0;
  /** See `shareClockReads`: records left on the current clock read, and that read. */
  #shared = false;
  #uses = 0;
  #stamp = 0;
  #unstampQueued = false;

  /** A new ring of `capacity` events (rounded up to a power of two), or a view of `memory`. */
  constructor(capacityOrMemory: number | RingMemory = 4096) {
    const memory = typeof capacityOrMemory === "number"
      ? newMemory(capacityOrMemory)
      : capacityOrMemory;
    const cap = memory.capacity;
    this.capacity = cap;
    this.memory = memory;
    this.#mask = cap - 1;
    const b = memory.buffer;
    let off = 0;
    const f64 = (n: number) => {
      const a = new Float64Array(b, off, n);
      off += n * 8;
      return a;
    };
    this.#gauges = f64(GAUGES);
    this.#totals = f64(KIND_COUNT);
    this.#seconds = f64(SECONDS_KEPT * SLOT);
    this.#at = f64(cap);
    this.#ints = new Int32Array(b, off, cap * 3);
    off += cap * 12;
    this.#kinds = new Uint8Array(b, off, cap);
  }

  // ------------------------------------------------------------------ writer

  /**
   * For a writer on an event loop (the async model): a clock read costs
   * 0.2-0.4 µs here, as much as the rest of recording two events. Events
   * recorded in one turn of the event loop (io completions come in batches)
   * share one read, at most STAMP_EVERY of them in a row (a round trip
   * records two in about 10 µs), so an event's time is late by well under
   * the millisecond it is shown to. A writer that never lets its event loop
   * turn must not use this.
   */
  shareClockReads(): void {
    this.#shared = true;
  }

  #time(): number {
    if (!this.#shared) return epochMs();
    if (this.#uses-- > 0) return this.#stamp;
    this.#uses = STAMP_EVERY - 1;
    if (!this.#unstampQueued) {
      this.#unstampQueued = true;
      queueMicrotask(this.#unstamp);
    }
    return this.#stamp = epochMs();
  }

  #unstamp = (): void => {
    this.#uses = 0;
    this.#unstampQueued = false;
  };

  /** Records one event: into the ring (except EAGAIN) and into the counters. */
  record(kind: number, conn: number, fd: number, n: number): void {
    const now = this.#time();
    this.#count(kind, now);
    if (kind === EV_EAGAIN) return;
    const g = this.#gauges;
    const seq = g[G_SEQ]!;
    const i = seq & this.#mask;
    this.#at[i] = now;
    this.#kinds[i] = kind;
    const j = i * 3;
    this.#ints[j] = conn;
    this.#ints[j + 1] = fd;
    this.#ints[j + 2] = n;
    g[G_SEQ] = seq + 1; // after the entry: a reader never sees it announced before written
  }

  /** Counts `times` EAGAINs at once (a polling sweep's worth). */
  countEagain(times: number): void {
    if (times <= 0) return;
    this.#count(EV_EAGAIN, epochMs(), times);
  }

  /** Bytes read (added to the counters; the READ event is recorded separately). */
  addBytesIn(n: number): void {
    this.#gauges[G_BYTES_IN]! += n;
    this.#seconds[this.#slot + 1]! += n;
  }

  addBytesOut(n: number): void {
    this.#gauges[G_BYTES_OUT]! += n;
    this.#seconds[this.#slot + 2]! += n;
  }

  /** Connections open now; the most ever open at once follows it. */
  setOpen(open: number): void {
    const g = this.#gauges;
    g[G_OPEN] = open;
    if (open > g[G_MAX_OPEN]!) g[G_MAX_OPEN] = open;
  }

  /** Milliseconds the server's loop spent working (its CPU, as far as it can tell). */
  addBusyMs(ms: number): void {
    this.#gauges[G_BUSY_MS]! += ms;
  }

  #count(kind: number, now: number, times = 1): void {
    this.#totals[kind]! += times;
    if (now >= this.#secondEndMs || now < this.#secondStartMs) this.#enterSecond(now);
    this.#seconds[this.#slot + 3 + kind]! += times;
  }

  #enterSecond(now: number): void {
    const second = Math.floor(now / 1000);
    this.#secondStartMs = second * 1000;
    this.#secondEndMs = this.#secondStartMs + 1000;
    this.#currentSecond = second;
    this.#slot = (second & SECOND_MASK) * SLOT;
    this.#seconds.fill(0, this.#slot, this.#slot + SLOT);
    this.#seconds[this.#slot] = second;
  }

  // ------------------------------------------------------------------ readers

  /** Events ever recorded (EAGAIN excepted); the next event's seq. */
  get recorded(): number {
    return this.#gauges[G_SEQ]!;
  }

  /** Events overwritten before anyone could read them. */
  get dropped(): number {
    return Math.max(0, this.recorded - this.capacity);
  }

  /** Exact count of one kind since the server started. */
  total(kind: number): number {
    return this.#totals[kind]!;
  }

  get bytesIn(): number {
    return this.#gauges[G_BYTES_IN]!;
  }

  get bytesOut(): number {
    return this.#gauges[G_BYTES_OUT]!;
  }

  get open(): number {
    return this.#gauges[G_OPEN]!;
  }

  /** The most connections served at once. */
  get maxOpen(): number {
    return this.#gauges[G_MAX_OPEN]!;
  }

  get busyMs(): number {
    return this.#gauges[G_BUSY_MS]!;
  }

  /** The events still in the ring with seq >= `since`, oldest first, at most `max`. */
  since(since: number, max = this.capacity): SocketEvent[] {
    const end = this.recorded;
    const start = Math.max(since, end - this.capacity, end - max, 0);
    const out: SocketEvent[] = [];
    for (let seq = start; seq < end; seq++) {
      const i = seq & this.#mask;
      const j = i * 3;
      out.push({
        seq,
        atMs: this.#at[i]!,
        kind: this.#kinds[i]!,
        conn: this.#ints[j]!,
        fd: this.#ints[j + 1]!,
        n: this.#ints[j + 2]!,
      });
    }
    // the writer may have lapped us while we copied: drop what it overwrote
    const lapped = this.recorded - this.capacity;
    return lapped > start ? out.filter((e) => e.seq >= lapped) : out;
  }

  /** The exact counters of one whole epoch second (zeros if it is older than SECONDS_KEPT). */
  second(second: number): SecondCounts {
    const slot = (second & SECOND_MASK) * SLOT;
    const s = this.#seconds;
    const kept = s[slot] === second;
    const kinds: number[] = [];
    for (let k = 0; k < KIND_COUNT; k++) kinds.push(kept ? s[slot + 3 + k]! : 0);
    return {
      second,
      kinds,
      bytesIn: kept ? s[slot + 1]! : 0,
      bytesOut: kept ? s[slot + 2]! : 0,
    };
  }
}

function newMemory(capacity: number): RingMemory {
  let cap = 16;
  while (cap < capacity) cap *= 2;
  const bytes = (GAUGES + KIND_COUNT + SECONDS_KEPT * SLOT + cap) * 8 + cap * 12 + cap;
  return { capacity: cap, buffer: new SharedArrayBuffer(bytes) };
}

/** One event as a line: `12:00:01.123 #3 fd 7 READ 12`. */
export function formatEvent(e: SocketEvent): string {
  const time = timeOfDay(e.atMs);
  const fd = e.fd < 0 ? "" : ` fd ${e.fd}`;
  const name = KIND_NAMES[e.kind] ?? `kind ${e.kind}`;
  let detail = "";
  if (e.kind === EV_READ || e.kind === EV_WRITE) detail = ` ${e.n}`;
  else if (e.kind === EV_BLOCKED) detail = ` ${CALL_NAMES[e.n] ?? "call"}`;
  else if (e.kind === EV_ERR && e.n !== 0) detail = ` errno ${e.n}`;
  return `${time} #${e.conn}${fd} ${name}${detail}`;
}

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;

/** `HH:MM:SS.mmm` (UTC) of epoch ms, as `toISOString` has it, without a Date per event. */
export function timeOfDay(atMs: number): string {
  const ms = Math.floor(atMs) % 86_400_000;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const sec = Math.floor(ms / 1000) % 60;
  const milli = ms % 1000;
  return `${pad2(h)}:${pad2(m)}:${pad2(sec)}.${
    milli < 100 ? (milli < 10 ? "00" : "0") : ""
  }${milli}`;
}
