/** The management API's server: auth, errors as JSON, body limits, path encoding. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { testOpts, withApi } from "./support.ts";

Deno.test(
  "management API: no or bad credentials get 401 with WWW-Authenticate",
  testOpts,
  async () => {
    await withApi(async ({ call, broker }) => {
      for (const auth of [null, "guest:wrong", "nobody:guest"]) {
        const r = await call("GET", "overview", undefined, { auth });
        assertEquals(r.status, 401, String(auth));
        assertEquals(r.headers.get("www-authenticate"), 'Basic realm="RabbitMQ Management"');
        assertEquals(r.json, { error: "not_authorized", reason: "Login failed" });
      }
      // A user without the management or administrator tag may not use the API (as RabbitMQ).
      broker.core.users.putUser({ name: "app", password: "pw" });
      const r = await call("GET", "whoami", undefined, { auth: "app:pw" });
      assertEquals(r.status, 401);
      assertEquals(r.json.error, "not_authorized");
      broker.core.users.putUser({ name: "ops", password: "pw", tags: ["management"] });
      assertEquals((await call("GET", "whoami", undefined, { auth: "ops:pw" })).json, {
        name: "ops",
        tags: ["management"],
      });
    });
  },
);

Deno.test(
  "management API: unknown paths and objects are 404 with a JSON error",
  testOpts,
  async () => {
    await withApi(async ({ call, get }) => {
      for (const path of ["nothing", "queues/%2F/no-such-queue", "exchanges/nohost", "../etc"]) {
        const r = await get(path);
        assertEquals(r.status, 404, path);
        assertEquals(r.json.error, "Object Not Found", path);
        assertEquals(typeof r.json.reason, "string");
      }
      // A method a path does not have is 404 too (not built), never a wrong answer.
      assertEquals((await call("PATCH", "overview")).status, 404);
    });
  },
);

Deno.test(
  "management API: a body that is not JSON is 400 with the parser's reason",
  testOpts,
  async () => {
    await withApi(async ({ call }) => {
      const r = await call("PUT", "queues/%2F/q1", undefined, {
        raw: "{bad",
        headers: { "content-type": "application/json" },
      });
      assertEquals(r.status, 400);
      assertEquals(r.json.error, "bad_request");
      assert(r.json.reason.startsWith("not_json: "), r.json.reason);
      // A declare with a wrong field type names it.
      const bad = await call("PUT", "exchanges/%2F/x1", { durable: false });
      assertEquals(bad.status, 400);
      assert(bad.json.reason.includes("type"), bad.json.reason);
    });
  },
);

Deno.test("management API: a body over the limit is 413", testOpts, async () => {
  await withApi(async ({ call }) => {
    const big = JSON.stringify({
      routing_key: "k",
      payload: "x".repeat(5000),
      payload_encoding: "string",
    });
    const r = await call("POST", "exchanges/%2F/amq.default/publish", undefined, {
      raw: big,
      headers: { "content-type": "application/json" },
    });
    assertEquals(r.status, 413);
    assertEquals(r.json.error, "payload_too_large");
    // Under the limit the same request works.
    const ok = await call("POST", "exchanges/%2F/amq.default/publish", {
      routing_key: "k",
      payload: "x",
      payload_encoding: "string",
    });
    assertEquals(ok.json, { routed: false });
  }, { maxHttpBodyBytes: 4096 });
});

Deno.test(
  "management API: names and vhosts are URL-encoded (%2F is the vhost /)",
  testOpts,
  async () => {
    await withApi(async ({ call, get }) => {
      assertEquals((await call("PUT", "queues/%2F/a%2Fb%20c", { durable: false })).status, 201);
      const q = await get("queues/%2F/a%2Fb%20c");
      assertEquals([q.status, q.json.name, q.json.vhost], [200, "a/b c", "/"]);
      assertEquals((await call("PUT", "vhosts/v%2Fx")).status, 201);
      assertEquals((await call("PUT", "exchanges/v%2Fx/e%23", { type: "topic" })).status, 201);
      const x = await get("exchanges/v%2Fx/e%23");
      assertEquals([x.json.name, x.json.vhost, x.json.type], ["e#", "v/x", "topic"]);
      // The default exchange is amq.default in paths and "" in JSON.
      assertEquals((await get("exchanges/%2F/amq.default")).json.name, "");
      assertEquals((await get("vhosts")).json.map((v: { name: string }) => v.name).sort(), [
        "/",
        "v/x",
      ]);
    });
  },
);

Deno.test(
  "management API: columns, sort and pagination as RabbitMQ takes them",
  testOpts,
  async () => {
    await withApi(async ({ call, get }) => {
      for (const [name, n] of [["b", 2], ["a", 3], ["c", 1]] as const) {
        await call("PUT", `queues/%2F/${name}`, {});
        for (let i = 0; i < n; i++) {
          await call("POST", "exchanges/%2F/amq.default/publish", {
            routing_key: name,
            payload: "x",
            payload_encoding: "string",
          });
        }
      }
      // Lists come sorted by vhost then name, as RabbitMQ's.
      assertEquals((await get("queues?columns=name")).json, [
        { name: "a" },
        { name: "b" },
        { name: "c" },
      ]);
      assertEquals(
        (await get("queues?columns=name,message_stats.publish&sort=messages&sort_reverse=true"))
          .json,
        [
          { name: "a", message_stats: { publish: 3 } },
          { name: "b", message_stats: { publish: 2 } },
          { name: "c", message_stats: { publish: 1 } },
        ],
      );
      assertEquals((await get("queues?page=2&page_size=2&columns=name")).json, {
        filtered_count: 3,
        item_count: 1,
        items: [{ name: "c" }],
        page: 2,
        page_count: 2,
        page_size: 2,
        total_count: 3,
      });
      const filtered = (await get("exchanges?page=1&page_size=10&name=AMQ.T&columns=name")).json;
      assertEquals([filtered.items, filtered.filtered_count], [[{ name: "amq.topic" }], 1]);
      const regex =
        (await get("exchanges?page=1&name=%5Eamq%5C.(d%7Cf)&use_regex=true&columns=name"))
          .json;
      assertEquals(regex.items, [{ name: "amq.direct" }, { name: "amq.fanout" }]);
      const out = await get("queues?page=3&page_size=2");
      assertEquals([out.status, out.json.error], [400, "page_out_of_range"]);
      assertEquals(
        (await get("queues?page=1&page_size=501")).json.error,
        "invalid_pagination_parameters",
      );
      // A single object keeps whole top-level fields.
      assertEquals(Object.keys((await get("overview?columns=object_totals.queues,node")).json), [
        "object_totals",
        "node",
      ]);
    });
  },
);
