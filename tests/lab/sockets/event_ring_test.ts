import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  EV_ACCEPT,
  EV_EAGAIN,
  EV_READ,
  EventRing,
  formatEvent,
  timeOfDay,
} from "../../../src/lab/sockets/event_ring.ts";

Deno.test("EventRing keeps the last `capacity` events but counts every one exactly", () => {
  const ring = new EventRing(16);
  for (let i = 0; i < 100; i++) ring.record(EV_READ, i, 7, i);
  assertEquals(ring.capacity, 16);
  assertEquals(ring.recorded, 100);
  assertEquals(ring.dropped, 84);
  assertEquals(ring.total(EV_READ), 100);
  const kept = ring.since(0);
  assertEquals(kept.map((e) => e.seq), Array.from({ length: 16 }, (_, i) => 84 + i));
  assertEquals(kept.map((e) => e.n), Array.from({ length: 16 }, (_, i) => 84 + i));
  assertEquals(ring.since(98).map((e) => e.conn), [98, 99]);
  assertEquals(ring.since(0, 3).map((e) => e.seq), [97, 98, 99]);
});

Deno.test("EventRing counts EAGAIN without putting it in the ring", () => {
  const ring = new EventRing(16);
  ring.record(EV_ACCEPT, 1, 5, 0);
  ring.record(EV_EAGAIN, 1, 5, 0);
  ring.countEagain(1000);
  assertEquals(ring.recorded, 1);
  assertEquals(ring.total(EV_EAGAIN), 1001);
  const second = Math.floor((performance.timeOrigin + performance.now()) / 1000);
  const counts = ring.second(second).kinds[EV_EAGAIN]! + ring.second(second - 1).kinds[EV_EAGAIN]!;
  assertEquals(counts, 1001);
});

Deno.test("EventRing's per-second counters and gauges add up", () => {
  const ring = new EventRing(16);
  ring.record(EV_READ, 1, 5, 10);
  ring.addBytesIn(10);
  ring.addBytesOut(10);
  ring.setOpen(3);
  ring.setOpen(1);
  assertEquals([ring.bytesIn, ring.bytesOut, ring.open, ring.maxOpen], [10, 10, 1, 3]);
  const now = Math.floor((performance.timeOrigin + performance.now()) / 1000);
  const a = ring.second(now);
  const b = ring.second(now - 1);
  assertEquals(a.kinds[EV_READ]! + b.kinds[EV_READ]!, 1);
  assertEquals(a.bytesIn + b.bytesIn, 10);
  assertEquals(ring.second(now - 1000).kinds[EV_READ], 0); // too old: zeros, not garbage
});

Deno.test("EventRing shares its memory: a second view (another Worker's) sees the same events", () => {
  const writer = new EventRing(32);
  const reader = new EventRing(writer.memory);
  writer.record(EV_ACCEPT, 4, 9, 0);
  assertEquals(reader.since(0).map((e) => [e.kind, e.conn, e.fd]), [[EV_ACCEPT, 4, 9]]);
  assertEquals(reader.total(EV_ACCEPT), 1);
});

Deno.test("formatEvent() reads like the kernel's story", () => {
  const ring = new EventRing(16);
  ring.record(EV_READ, 3, 7, 12);
  const line = formatEvent(ring.since(0)[0]!);
  assertEquals(line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ""), "#3 fd 7 READ 12");
});

Deno.test("timeOfDay() is the time toISOString gives, to the millisecond", () => {
  const times = [0, 999.9, 1000, 86_399_999, 86_400_000, 1_764_547_199_999.5, 1_764_547_200_123];
  for (let i = 0; i < 200; i++) times.push(1.7e12 + i * 7_777_777.7);
  for (const t of times) {
    assertEquals(timeOfDay(t), new Date(t).toISOString().slice(11, 23), `at ${t}`);
  }
});
