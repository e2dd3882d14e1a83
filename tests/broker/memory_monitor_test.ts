/** MemoryMonitor on a fake clock with a fake process usage: the alarm, read credit, reclaims. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { MemoryMonitor, MIN_GRANT, SAMPLE_MS } from "../../src/broker/memory_monitor.ts";
import { FakeTimers } from "./support/fake_timers.ts";

const MB = 1_000_000;

function monitor(limit: number, opts: { reclaim?: () => void } = {}) {
  const timers = new FakeTimers();
  const alarms: boolean[] = [];
  const state = { usage: 50 * MB };
  const m = new MemoryMonitor({
    limit,
    timers,
    readUsage: () => state.usage,
    reclaim: opts.reclaim,
    onAlarm: (on) => alarms.push(on),
  });
  return { m, timers, alarms, state };
}

Deno.test("a sampled usage above the limit sets the alarm; below 90% of it clears it", () => {
  const { m, timers, alarms, state } = monitor(100 * MB);
  m.start();
  assertEquals(alarms, []);
  state.usage = 101 * MB; // nothing counted in messages: garbage, allocator, heap
  timers.advance(SAMPLE_MS);
  assertEquals(alarms, [true]);
  state.usage = 95 * MB; // under the limit, not under 90%: no flapping
  timers.advance(SAMPLE_MS);
  assertEquals(alarms, [true]);
  state.usage = 80 * MB;
  timers.advance(SAMPLE_MS);
  assertEquals(alarms, [true, false]);
  m.stop();
  assertEquals(timers.pending, 0, "stop() leaves no timer");
});

Deno.test("between samples, message bytes on top of the last sample set the alarm at once", () => {
  const { m, timers, alarms } = monitor(100 * MB);
  m.start(); // sampled 50 MB
  m.add(40 * MB);
  assertEquals(alarms, []);
  m.add(11 * MB); // 50 + 51 > 100, before any new sample
  assertEquals(alarms, [true]);
  assertEquals(m.usage, 101 * MB);
  m.add(-51 * MB); // messages gone: what the process uses is known at the next sample
  assertEquals(alarms, [true]);
  timers.advance(SAMPLE_MS);
  assertEquals(alarms, [true, false]);
});

Deno.test("read credit: a connection out of credit waits for the next sample's grant", () => {
  const { m, timers, state } = monitor(100 * MB);
  m.start(); // 50 MB used: 50 MB of room, half of it to share
  let refills = 0;
  const credit = m.openCredit(() => refills++);
  assertEquals(credit.bytes, 25 * MB);
  credit.spend(25 * MB);
  assert(credit.exhausted, "out of credit: the connection stops reading");
  state.usage = 90 * MB; // near the limit: 10 MB of room, 5 to the one active reader
  timers.advance(SAMPLE_MS);
  assertEquals(refills, 1);
  assertEquals(credit.bytes, 5 * MB);
  // Idle readers do not save credit up; over the limit the floor still lets it move.
  state.usage = 120 * MB;
  timers.advance(SAMPLE_MS);
  assertEquals(credit.bytes, MIN_GRANT);
  m.closeCredit(credit);
});

Deno.test("read credit is shared by the connections that read since the last sample", () => {
  const { m, timers } = monitor(100 * MB);
  m.start();
  const busy = [m.openCredit(() => {}), m.openCredit(() => {})];
  const idle = m.openCredit(() => {});
  for (const c of busy) c.spend(1);
  timers.advance(SAMPLE_MS);
  // 50 MB of room, half of it, split between the two that read.
  for (const c of [...busy, idle]) assertEquals(c.bytes, 12.5 * MB);
});

Deno.test("memory not explained by messages is reclaimed, backing off when that frees nothing", () => {
  let reclaims = 0;
  const { m, timers, state } = monitor(1000 * MB, { reclaim: () => reclaims++ });
  m.start(); // footprint 50 MB
  m.add(200 * MB);
  state.usage = 260 * MB;
  timers.advance(SAMPLE_MS);
  assertEquals(reclaims, 0, "what messages explain is not reclaimed");
  m.add(-200 * MB); // the queue drained; the process still holds the memory
  timers.advance(SAMPLE_MS);
  assertEquals(reclaims, 1);
  // The reclaim freed nothing (state.usage unchanged): the next waits a second, then two.
  timers.advance(900);
  assertEquals(reclaims, 1);
  timers.advance(200);
  assertEquals(reclaims, 2);
  timers.advance(1500);
  assertEquals(reclaims, 2);
  timers.advance(600);
  assertEquals(reclaims, 3);
  m.stop();
});

Deno.test("a reclaim that frees memory clears the alarm at the same sample", () => {
  const { m, timers, alarms, state } = monitor(100 * MB, {
    reclaim: () => state.usage = 60 * MB,
  });
  m.start();
  state.usage = 140 * MB; // 90 MB of garbage
  timers.advance(SAMPLE_MS);
  assertEquals(alarms, [], "reclaimed before the alarm was needed");
  assertEquals(m.usage, 60 * MB);
  m.stop();
});
