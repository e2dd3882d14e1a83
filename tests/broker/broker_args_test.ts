import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { deadLetterMessage, isDeadLetterCycle } from "../../src/broker/dead_letter.ts";
import { headersMatch } from "../../src/broker/headers_exchange.ts";
import type { Message } from "../../src/broker/message.ts";
import { assertArgsEquivalent, parseQueueArgs } from "../../src/broker/queue_args.ts";

Deno.test("parseQueueArgs() reads every supported x-argument", () => {
  assertEquals(
    parseQueueArgs("q", "/", {
      "x-message-ttl": 10,
      "x-expires": 20,
      "x-max-length": 3,
      "x-max-length-bytes": 4,
      "x-overflow": "reject-publish",
      "x-dead-letter-exchange": "dlx",
      "x-dead-letter-routing-key": "dead",
      "x-max-priority": 9,
      "x-single-active-consumer": true,
    }),
    {
      messageTtl: 10,
      expires: 20,
      maxLength: 3,
      maxLengthBytes: 4,
      overflow: "reject-publish",
      deadLetterExchange: "dlx",
      deadLetterRoutingKey: "dead",
      maxPriority: 9,
      singleActiveConsumer: true,
    },
  );
});

Deno.test("parseQueueArgs() refuses bad values with RabbitMQ's wording", () => {
  const refuse = (args: Record<string, unknown>, text: string) =>
    throws(() => parseQueueArgs("q", "/", args), { message: `PRECONDITION_FAILED - ${text}` });
  refuse(
    { "x-message-ttl": -1 },
    "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-1}",
  );
  refuse(
    { "x-message-ttl": "abc" },
    `invalid arg 'x-message-ttl' for queue 'q' in vhost '/': "expected integer, got longstr"`,
  );
  refuse({ "x-expires": 0 }, "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}");
  refuse(
    { "x-overflow": "nope" },
    "invalid arg 'x-overflow' for queue 'q' in vhost '/': invalid_overflow",
  );
  refuse(
    { "x-max-priority": 300 },
    "invalid arg 'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,300}",
  );
  refuse(
    { "x-dead-letter-routing-key": "k" },
    "invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined",
  );
  throws(() => parseQueueArgs("q", "/", { "x-queue-type": "quorum" }), { code: 540 });
});

Deno.test("assertArgsEquivalent() compares integers by value across widths and names changes", () => {
  const queueQ = { kind: "queue", name: "q", vhost: "/" } as const;
  assertArgsEquivalent({ "x-max-length": 5 }, { "x-max-length": 5n }, queueQ);
  // Arguments RabbitMQ does not compare are ignored.
  assertArgsEquivalent({ "x-custom": 1 }, {}, queueQ);
  throws(
    () => assertArgsEquivalent({ "x-message-ttl": 100 }, { "x-message-ttl": 200 }, queueQ),
    {
      message:
        "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '200' but current is '100'",
    },
  );
  throws(() => assertArgsEquivalent({}, { "x-message-ttl": 100 }, queueQ), {
    message:
      "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received the value '100' of type 'byte' but current is none",
  });
});

Deno.test("headersMatch() implements x-match all, any and the -with-x variants", () => {
  assert(headersMatch({ a: 1, b: "x" }, { a: 1, b: "x", c: 3 }));
  assert(!headersMatch({ a: 1, b: "x" }, { a: 1 }));
  assert(headersMatch({ "x-match": "any", a: 1, b: "x" }, { b: "x" }));
  assert(!headersMatch({ "x-match": "any", a: 1 }, { a: 2 }));
  assert(headersMatch({}, undefined));
  assert(!headersMatch({ "x-match": "any" }, { a: 1 }));
  // x- keys take no part unless asked
  assert(headersMatch({ "x-foo": 1, a: 1 }, { a: 1 }));
  assert(!headersMatch({ "x-match": "all-with-x", "x-foo": 1, a: 1 }, { a: 1 }));
  // void binding value: presence is enough; 64-bit ints compare by value
  assert(headersMatch({ a: null }, { a: "anything" }));
  assert(headersMatch({ n: 7 }, { n: 7n }));
});

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
