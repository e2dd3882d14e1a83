/** fd_limit.ts: the connection maximum that `ulimit -n` allows, and the start-up line. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  defaultMaxConnections,
  describeConnectionLimit,
  readFileLimit,
} from "../../src/broker/fd_limit.ts";

Deno.test("defaultMaxConnections() keeps a reserve of descriptors for the broker itself", () => {
  assertEquals(defaultMaxConnections({ soft: 64, hard: 64 }), 32);
  assertEquals(defaultMaxConnections({ soft: 1024, hard: 4096 }), 921);
  assertEquals(defaultMaxConnections({ soft: 20, hard: 20 }), 1);
  assertEquals(defaultMaxConnections(undefined), 1000);
});

Deno.test("describeConnectionLimit() names the limit, where it comes from and how to raise it", () => {
  const limit = { soft: 1024, hard: 4096 };
  assert(/^connection limit: 921 \(ulimit -n 1024, minus 103 .*'ulimit -n N'.*4096/.test(
    describeConnectionLimit(921, limit, false),
  ));
  assert(/above the 921 .*may run out of descriptors/.test(
    describeConnectionLimit(5000, limit, true),
  ));
  assert(/unknown; set --max-connections/.test(describeConnectionLimit(1000, undefined, false)));
});

Deno.test("readFileLimit() reads this process's limit", async () => {
  const limit = await readFileLimit();
  assert(limit && limit.soft > 0, JSON.stringify(limit));
});
