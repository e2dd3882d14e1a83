/** Deque: a ring buffer that gives its slots back as it empties. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Deque } from "../../src/broker/deque.ts";

Deno.test("a deque keeps order at both ends across growing and shrinking", () => {
  const d = new Deque<number>();
  for (let i = 0; i < 1000; i++) d.push(i);
  d.unshift(-1);
  const out: number[] = [];
  while (d.length > 0) out.push(d.shift()!);
  assertEquals(out, [-1, ...Array.from({ length: 1000 }, (_, i) => i)]);
});

Deno.test("a drained deque shrinks back instead of keeping its largest size", () => {
  const d = new Deque<number>();
  for (let i = 0; i < 100_000; i++) d.push(i);
  assert(d.capacity >= 100_000);
  for (let i = 0; i < 100_000; i++) d.shift();
  assertEquals(d.capacity, 16);
});
