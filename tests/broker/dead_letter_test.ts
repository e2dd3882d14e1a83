/** deadLetterMessage() and isDeadLetterCycle(): x-death headers and dead-letter cycles. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { deadLetterMessage, isDeadLetterCycle } from "../../src/broker/dead_letter.ts";
import type { Message } from "../../src/broker/message.ts";

const message: Message = {
  exchange: "ex",
  routingKey: "rk",
  properties: { expiration: "50", headers: { keep: true } },
  body: new Uint8Array([1]),
};

Deno.test("deadLetterMessage() writes x-death, counts repeats and moves them first", () => {
  const once = deadLetterMessage(message, {
    queue: "a",
    reason: "expired",
    exchange: "dlx",
    now: 0,
  });
  assertEquals([once.exchange, once.routingKey, once.properties.expiration], [
    "dlx",
    "rk",
    undefined,
  ]);
  const h1 = once.properties.headers!;
  assertEquals(h1["keep"], true);
  const d1 = (h1["x-death"] as Record<string, unknown>[])[0]!;
  assertEquals([d1["queue"], d1["reason"], d1["original-expiration"]], ["a", "expired", "50"]);
  const other = deadLetterMessage(once, {
    queue: "b",
    reason: "rejected",
    exchange: "",
    routingKey: "a",
    now: 0,
  });
  const again = deadLetterMessage(other, {
    queue: "a",
    reason: "expired",
    exchange: "dlx",
    now: 0,
  });
  const deaths = again.properties.headers!["x-death"] as Record<string, unknown>[];
  assertEquals(deaths.map((d) => `${d["queue"]}:${d["reason"]}`), ["a:expired", "b:rejected"]);
  assertEquals((deaths[0]!["count"] as { value: number }).value, 2);
  assertEquals(again.properties.headers!["x-first-death-queue"], "a");
});

Deno.test("isDeadLetterCycle() drops automatic cycles but not ones with a client reject", () => {
  const expired = deadLetterMessage(message, {
    queue: "a",
    reason: "expired",
    exchange: "",
    now: 0,
  });
  assert(isDeadLetterCycle(expired, "a"));
  assert(!isDeadLetterCycle(expired, "b"));
  const rejected = deadLetterMessage(message, {
    queue: "a",
    reason: "rejected",
    exchange: "",
    now: 0,
  });
  assert(!isDeadLetterCycle(rejected, "a"));
});
