import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { LatencyHistogram } from "../../../src/lab/sockets/latency.ts";

Deno.test("LatencyHistogram percentiles are within a bucket (~6%) of the exact ones", () => {
  const h = new LatencyHistogram();
  const samples = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 100); // 0.01 .. 100 ms
  for (const s of samples) h.record(s);
  const s = h.summary();
  assertEquals(s.count, 10_000);
  assertEquals(s.max, 100);
  for (const [got, exact] of [[s.p50, 50], [s.p90, 90], [s.p99, 99]]) {
    assert(Math.abs(got! - exact!) / exact! < 0.07, `got ${got}, exact ${exact}`);
  }
  assert(Math.abs(s.mean - 50.005) < 0.01);
});

Deno.test("LatencyHistogram: empty is zeros; one sample is every percentile", () => {
  const h = new LatencyHistogram();
  assertEquals(h.summary(), { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
  h.record(2.5);
  const s = h.summary();
  assertEquals([s.p50, s.p99, s.max], [2.5, 2.5, 2.5]);
  assertEquals(h.buckets().reduce((n, [, c]) => n + c, 0), 1);
});
