/** Which memory limit applies, and the start-up line that says so. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  describeMemoryLimit,
  readHeapLimit,
  resolveMemoryLimit,
} from "../../src/broker/memory_limit.ts";

const GB = 1e9;

Deno.test("the default is 40% of the machine's memory", () => {
  const l = resolveMemoryLimit({ systemTotal: 8 * GB, heapLimit: 8 * GB });
  assertEquals([l.bytes, l.capped, l.explicit], [3.2 * GB, false, false]);
  assertEquals(
    describeMemoryLimit(l, 50e6),
    "memory limit: 3.2 GB (40% of 8 GB RAM); using 50 MB now",
  );
});

Deno.test("the limit is always clamped under V8's heap limit, default or asked", () => {
  const byDefault = resolveMemoryLimit({ systemTotal: 24 * GB, heapLimit: 4 * GB });
  assertEquals([byDefault.bytes, byDefault.capped], [2.4 * GB, true]);
  const asked = resolveMemoryLimit({ requested: 8 * GB, systemTotal: 24 * GB, heapLimit: 4 * GB });
  assertEquals([asked.bytes, asked.capped], [2.4 * GB, true]);
  assert(
    describeMemoryLimit(asked, 50e6).startsWith(
      "memory limit: 2.4 GB: --memory-limit 8 GB (8 GB) is more than 60% of V8's heap limit of 4 GB",
    ),
  );
  const small = resolveMemoryLimit({ requested: 150e6, systemTotal: 24 * GB, heapLimit: 4 * GB });
  assertEquals([small.bytes, small.capped], [150e6, false]);
  // The real heap limit: whatever it is, the default stays under it.
  assert(resolveMemoryLimit().bytes < readHeapLimit());
});

Deno.test("the start-up line says when the broker is already above its limit", () => {
  const l = resolveMemoryLimit({ requested: 20e6, systemTotal: 8 * GB, heapLimit: 4 * GB });
  assert(describeMemoryLimit(l, 50e6).endsWith("already above it: every publisher is blocked"));
});
