/**
 * A server's figures over the last interval, from its exact counters:
 * what the standalone server prints each second and what the panel shows.
 */
import { EV_ACCEPT, EV_EAGAIN, EV_READ } from "./event_ring.ts";
import type { LoadStats } from "./load_client.ts";
import type { EchoServer } from "./server.ts";

export interface ServerRates {
  open: number;
  maxOpen: number;
  accepted: number;
  /** Reads echoed per second (one per round trip for small messages). */
  roundTripsPerS: number;
  /** Bytes echoed per second. */
  bytesPerS: number;
  /** Share of the interval the server's loop was busy (0..1, the blocking model's is 0). */
  busy: number;
  /** "Nothing yet" answers per second (the non-blocking model's polling). */
  eagainPerS: number;
}

/** Measures rates between calls of `sample()`. */
export class RateMeter {
  readonly #server: EchoServer;
  #at = performance.now();
  #reads = 0;
  #bytes = 0;
  #busyMs = 0;
  #eagain = 0;

  constructor(server: EchoServer) {
    this.#server = server;
    this.#reads = server.ring.total(EV_READ);
    this.#bytes = server.ring.bytesIn;
    this.#busyMs = server.ring.busyMs;
    this.#eagain = server.ring.total(EV_EAGAIN);
  }

  sample(): ServerRates {
    const ring = this.#server.ring;
    const now = performance.now();
    const secs = Math.max(now - this.#at, 1) / 1000;
    const reads = ring.total(EV_READ);
    const bytes = ring.bytesIn;
    const busyMs = ring.busyMs;
    const eagain = ring.total(EV_EAGAIN);
    const rates: ServerRates = {
      open: ring.open,
      maxOpen: ring.maxOpen,
      accepted: ring.total(EV_ACCEPT),
      roundTripsPerS: (reads - this.#reads) / secs,
      bytesPerS: (bytes - this.#bytes) / secs,
      busy: Math.min(1, (busyMs - this.#busyMs) / (secs * 1000)),
      eagainPerS: (eagain - this.#eagain) / secs,
    };
    this.#at = now;
    this.#reads = reads;
    this.#bytes = bytes;
    this.#busyMs = busyMs;
    this.#eagain = eagain;
    return rates;
  }
}

/** `1.2 kB/s` style. */
export function formatBytesPerS(n: number): string {
  if (n < 1000) return `${Math.round(n)} B/s`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB/s`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB/s`;
  return `${(n / 1e9).toFixed(2)} GB/s`;
}

/** The standalone server's line: `connections 3 (max 5)  1,234 rt/s  45.6 kB/s`. */
export function summaryLine(r: ServerRates): string {
  const rt = Math.round(r.roundTripsPerS).toLocaleString("en-US");
  const eagain = r.eagainPerS > 0
    ? `  ${Math.round(r.eagainPerS).toLocaleString("en-US")} EAGAIN/s`
    : "";
  return `connections ${r.open} (max ${r.maxOpen}, ${r.accepted} accepted)  ${rt} rt/s  ` +
    `${formatBytesPerS(r.bytesPerS)}  loop busy ${Math.round(r.busy * 100)}%${eagain}`;
}

/** A duration in ms, to 3 significant digits (`0.120 ms`, `4.56 ms`, `312 ms`). */
function ms(n: number): string {
  return `${n >= 100 ? Math.round(n) : n.toPrecision(3)} ms`;
}

/**
 * A load's line: `100/100 connected  12,345 rt/s  1.2 MB/s  p50 1.20 ms  p90 ...
 * max 9.10 ms  errors: refused 3` (`done` once it has stopped).
 */
export function loadSummaryLine(s: LoadStats): string {
  const rt = Math.round(s.roundTripsPerS).toLocaleString("en-US");
  const l = s.latency;
  const errors = Object.entries(s.errors).map(([kind, n]) => `${kind} ${n}`).join(", ");
  return `${s.connected}/${s.connections} connected  ${rt} rt/s  ${
    formatBytesPerS(s.bytesPerS)
  }  ` +
    `p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}` +
    (errors === "" ? "" : `  errors: ${errors}`) + (s.done ? "  done" : "");
}
