import { deepStrictEqual as assertEquals } from "node:assert/strict";
import * as amqp from "../../src/amqp/mod.ts";
import { ReplyCode, replyName, scopeOf } from "../../src/broker/errors.ts";

Deno.test("ReplyCode names exactly the spec's reply codes, with the spec's numbers", () => {
  const fromSpec = Object.fromEntries(
    [...amqp.REPLY_CODES.values()].map((
      { name },
    ) => [name, (amqp as Record<string, unknown>)[name]]),
  );
  assertEquals({ ...ReplyCode }, fromSpec);
});

Deno.test("scopeOf() and replyName() follow the spec's soft/hard table", () => {
  for (const { code, name, kind } of amqp.REPLY_CODES.values()) {
    assertEquals([replyName(code), scopeOf(code)], [
      name,
      kind === "soft" ? "channel" : "connection",
    ]);
  }
  assertEquals([replyName(999), scopeOf(999)], ["UNKNOWN", "connection"]);
});
