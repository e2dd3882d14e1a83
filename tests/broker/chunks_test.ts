import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { coalesce, joinChunks, LARGE_CHUNK, nextWriteCount } from "../../src/broker/chunks.ts";

const small = (n: number, fill: number) => new Uint8Array(n).fill(fill);

Deno.test("coalesce joins runs of small chunks and passes large ones through uncopied", () => {
  const big = small(LARGE_CHUNK, 9);
  const chunks = [small(3, 1), small(2, 2), big, small(1, 3), big, big, small(4, 4)];
  const out = coalesce(chunks);
  assertEquals(out.map((c) => c.length), [5, LARGE_CHUNK, 1, LARGE_CHUNK, LARGE_CHUNK, 4]);
  assert(out[1] === big && out[3] === big && out[4] === big, "large chunks are not copied");
  assertEquals([...out[0]!], [1, 1, 1, 2, 2]);
  assert(out[2] === chunks[3], "a lone small chunk is itself");
  assertEquals(joinChunks(chunks).length, chunks.reduce((n, c) => n + c.length, 0));
});

Deno.test("nextWriteCount: a large head alone, else the small run before the next large chunk", () => {
  const big = small(LARGE_CHUNK + 1, 0);
  assertEquals(nextWriteCount([]), 0);
  assertEquals(nextWriteCount([big, small(1, 0)]), 1);
  assertEquals(nextWriteCount([small(1, 0), small(1, 0), big]), 2);
  assertEquals(nextWriteCount([small(1, 0), small(1, 0)], 1), 1);
});
