/** headersMatch(): the headers exchange's x-match rules. */
import { ok as assert } from "node:assert/strict";
import { headersMatch } from "../../src/broker/headers_exchange.ts";

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
