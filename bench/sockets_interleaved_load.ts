/**
 * The sockets bench's load for a ratio: the lean epoll clients
 * (`sockets_lean_load.ts`), N connections to each of several echo servers
 * (the reference and the model measured), all open for the whole run, with
 * only one server's clients talking at a time, in short slices that take
 * turns (the order alternating from round to round).
 *
 * Why: this machine's speed swings by 2x from one second to the next (other
 * work on the host), so two runs one after the other can disagree by 30%
 * whatever the servers. Slices of a fraction of a second, taking turns many
 * times, put both servers through the same moments; the ratio of their
 * totals is what the servers differ by. A server whose clients are quiet
 * does nothing (it waits in epoll or in the event loop), so it costs the
 * other nothing. Not for a server that works while idle (the non-blocking
 * model polls, the blocking one cannot hold two connections): those run
 * one after the other (`runLeanLoad`).
 *
 * A slice: every client of the server sends, each sends again on its echo
 * until the slice's time is up, then the slice drains (no new sends) and
 * ends with the last echo. Only its middle is measured: round trips, time
 * and the CPU every thread but this one spent (the servers' work), from
 * the end of a short warm-up to the end of its sending time. Not the
 * warm-up: a server whose clients were quiet starts with caches the other
 * one filled (with 1 000 connections that made the first 100 ms of a slice
 * 20-30% slower, so a server going second in a round lost to one going
 * first twice running). Not the drain either: its length is the slowest
 * connection's luck (with 1 000 connections, one can wait 100 ms for its
 * turn in any server here).
 */
import type { Libc } from "../src/lab/sockets/libc.ts";
import { LatencyHistogram } from "../src/lab/sockets/latency.ts";
import { LoadClients, otherThreadsCpuNs } from "./sockets_lean_load.ts";

export interface SliceOptions {
  /** How long each slice warms up (ms): not counted (see the module comment). */
  warmMs: number;
  /** How long each slice measures (ms), after its warm-up; it then drains. */
  measureMs: number;
  /** Rounds counted: one slice per server each (one more round warms up first). */
  rounds: number;
}

/** One server's figures over a run of slices. */
export interface SlicedStats {
  roundTrips: number;
  /** The slices' measuring windows added up (ms). */
  ms: number;
  roundTripsPerS: number;
  /** Each round's rate (round trips/s), for the spread of the ratios. */
  perRound: number[];
  /** Each round's CPU µs per round trip (as `serverCpuUsPerRt`). */
  perRoundCpuUs: number[];
  /** Milliseconds. */
  p50: number;
  p99: number;
  errors: number;
  /** CPU µs of every thread but the load's per round trip, over this server's slices. */
  serverCpuUsPerRt: number;
}

/**
 * Runs the load against 127.0.0.1:`ports` in turn (a port may come twice:
 * two sets of clients of one server); blocks this thread for the run's
 * length. `onSlice` hears which one's slice begins (its warm-up is time
 * enough to act on it).
 */
export function runInterleavedLoad(
  c: Libc,
  ports: number[],
  connections: number,
  options: SliceOptions,
  onSlice?: (server: number) => void,
): SlicedStats[] {
  const io = new LoadClients(c);
  const figures = ports.map(() => ({
    trips: 0,
    ms: 0,
    cpuNs: 0,
    errors: 0,
    perRound: [] as number[],
    perRoundCpuUs: [] as number[],
    latency: new LatencyHistogram(),
  }));
  try {
    const sets = ports.map((port, s) => io.open(port, connections, s));
    for (let round = -1; round < options.rounds; round++) {
      for (let k = 0; k < ports.length; k++) {
        // alternate the order: whichever goes first in a round is not always the same one
        const s = (round & 1) === 0 ? k : ports.length - 1 - k;
        const f = figures[s]!;
        const counted = round >= 0;
        onSlice?.(s);
        let busy = 0;
        let trips = 0;
        const start = performance.now();
        const measureFrom = start + options.warmMs;
        const sendUntil = measureFrom + options.measureMs;
        // the measuring window: clock and CPU at its two ends (-1: not reached yet)
        let from = -1;
        let until = -1;
        let cpuFrom = 0;
        let cpuUntil = 0;
        let now = start;
        for (const cl of sets[s]!) {
          if (io.send(cl)) busy++;
          else f.errors++;
        }
        while (busy > 0) {
          const n = io.wait(1000);
          now = performance.now();
          if (n === 0) throw new Error(`the server on :${ports[s]} stopped answering`);
          if (from < 0 && now >= measureFrom) {
            from = now;
            cpuFrom = otherThreadsCpuNs();
          }
          if (until < 0 && now >= sendUntil) {
            until = now;
            cpuUntil = otherThreadsCpuNs();
          }
          for (let i = 0; i < n; i++) {
            const cl = io.clientOf(i);
            if (cl === undefined) continue;
            const r = io.receive(cl);
            if (r === 0) continue;
            if (r < 0) throw new Error(`the server on :${ports[cl.server]} closed a connection`);
            if (cl.got < cl.out.length) continue;
            if (until >= 0) {
              busy--; // draining
              continue;
            }
            if (from >= 0) {
              trips++;
              if (counted) f.latency.record(now - cl.sentAt);
            }
            if (!io.send(cl)) {
              f.errors++;
              busy--;
            }
          }
        }
        if (!counted || from < 0 || until <= from) continue;
        const ms = until - from;
        const cpuNs = cpuUntil - cpuFrom;
        f.trips += trips;
        f.ms += ms;
        f.cpuNs += cpuNs;
        f.perRound.push(trips / (ms / 1000));
        f.perRoundCpuUs.push(trips > 0 ? cpuNs / 1000 / trips : 0);
      }
    }
    // the echoes must be what was sent, in order
    sets.forEach((set, s) => {
      for (const cl of set) figures[s]!.errors += cl.wrong;
    });
    return figures.map((f) => {
      const s = f.latency.summary();
      return {
        roundTrips: f.trips,
        ms: f.ms,
        roundTripsPerS: f.trips / (f.ms / 1000),
        perRound: f.perRound,
        perRoundCpuUs: f.perRoundCpuUs,
        p50: s.p50,
        p99: s.p99,
        errors: f.errors,
        serverCpuUsPerRt: f.trips > 0 ? f.cpuNs / 1000 / f.trips : 0,
      };
    });
  } finally {
    io.close();
  }
}
