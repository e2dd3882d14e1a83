import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { formatBytesPerS, loadSummaryLine, summaryLine } from "../../../src/lab/sockets/summary.ts";

Deno.test("summaryLine() shows connections, rates, the loop's busy share and EAGAINs if any", () => {
  const base = {
    open: 3,
    maxOpen: 5,
    accepted: 9,
    roundTripsPerS: 12345.4,
    bytesPerS: 45_600,
    busy: 0.25,
    eagainPerS: 0,
  };
  assertEquals(
    summaryLine(base),
    "connections 3 (max 5, 9 accepted)  12,345 rt/s  45.6 kB/s  loop busy 25%",
  );
  assertEquals(
    summaryLine({ ...base, busy: 1, eagainPerS: 1_234_567 }),
    "connections 3 (max 5, 9 accepted)  12,345 rt/s  45.6 kB/s  loop busy 100%  1,234,567 EAGAIN/s",
  );
});

Deno.test("formatBytesPerS() picks the unit", () => {
  assertEquals(
    [0, 999, 1500, 2_500_000, 3_210_000_000].map(formatBytesPerS),
    ["0 B/s", "999 B/s", "1.5 kB/s", "2.5 MB/s", "3.21 GB/s"],
  );
});

Deno.test("loadSummaryLine() shows rates, percentiles and errors by kind", () => {
  const line = loadSummaryLine({
    connections: 100,
    connected: 97,
    open: 0,
    roundTrips: 1000,
    bytesOut: 9000,
    bytesIn: 9000,
    errors: { refused: 3 },
    latency: { count: 1000, p50: 1.2, p90: 2.5, p99: 4.56, max: 312.4, mean: 1.5 },
    elapsedMs: 1000,
    roundTripsPerS: 12345,
    bytesPerS: 1_200_000,
    done: true,
  });
  assertEquals(
    line,
    "97/100 connected  12,345 rt/s  1.2 MB/s  p50 1.20 ms  p90 2.50 ms  p99 4.56 ms  max 312 ms" +
      "  errors: refused 3  done",
  );
});
