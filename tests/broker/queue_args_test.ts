/** parseQueueArgs() and assertArgsEquivalent(): queue x-arguments, checked as RabbitMQ does. */
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
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
