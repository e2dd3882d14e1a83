import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { Hub } from "../../../src/lab/hub.ts";
import { compareModels } from "../../../src/lab/sockets/compare.ts";

Deno.test("compareModels() runs the same load on every model and reads each row", async () => {
  const hub = new Hub();
  try {
    const seen: string[] = [];
    const rows = await compareModels(
      hub,
      { connections: 20, rounds: 3 },
      (r) => seen.push(r.model),
    );
    assertEquals(seen, ["blocking", "nonblocking", "multiplexed", "async"]);
    for (const row of rows) {
      assert(row.roundTripsPerS !== null && row.roundTripsPerS > 0, row.reading);
      assertEquals(row.errors, 0);
      assert(row.p50Ms <= row.p99Ms);
    }
    const [blocking, nonblocking, multiplexed, async] = rows;
    assertEquals(blocking!.mostAtOnce, 1);
    assertMatch(blocking!.reading, /one connection at a time/);
    assertMatch(nonblocking!.reading, /burns CPU polling: [\d,]+ EAGAINs/);
    assertMatch(multiplexed!.reading, /woken by the kernel/);
    assertMatch(async!.reading, /one coroutine per connection \(here that thread runs the load/);
    assertEquals(blocking!.busy, null);
    // a share of the run: never past all of it, in the table or in the reading
    for (const row of rows) {
      assert(row.busy === null || (row.busy >= 0 && row.busy <= 1), `${row.model}: ${row.busy}`);
      for (const m of row.reading.matchAll(/(\d+)%/g)) assert(Number(m[1]) <= 100, row.reading);
    }
    assert(async!.busy! > 0, "the async server's CPU is measured");
  } finally {
    hub.close();
  }
});
