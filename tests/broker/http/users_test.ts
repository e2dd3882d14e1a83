/** The management API's users, vhosts and permissions on the embedded broker. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { openClient } from "../support/amqplib.ts";
import { testOpts, withApi } from "./support.ts";

// Made by RabbitMQ 3.10 for the password "pw".
const RABBITMQ_HASH = "eCxhq/G0yECZ3RFa+6GQcPvc33YzSQixQKfa2AAUgWK/Cj8T";

Deno.test(
  "management API: PUT a user with RabbitMQ's password_hash; GET shows hashes, never passwords",
  testOpts,
  async () => {
    const log: string[] = [];
    await withApi(async ({ call, get, broker }) => {
      const created = await call("PUT", "users/imported", {
        password_hash: RABBITMQ_HASH,
        hashing_algorithm: "rabbit_password_hashing_sha256",
        tags: ["monitoring"],
      });
      assertEquals(created.status, 201);
      assertEquals((await get("users/imported")).json, {
        name: "imported",
        password_hash: RABBITMQ_HASH,
        hashing_algorithm: "rabbit_password_hashing_sha256",
        tags: ["monitoring"],
        limits: {},
      });
      broker.core.users.setPermission("imported", "/", { configure: "", write: "", read: "" });
      // The imported hash logs in over AMQP with RabbitMQ's password.
      const client = await openClient(broker.url, { username: "imported", password: "pw" });
      await client.close();
      // A clear password is hashed: nothing shows it, nothing logs it.
      await call("PUT", "users/ann", { password: "t0p-s3cret", tags: "management,monitoring" });
      const ann = (await get("users/ann")).json;
      assertEquals([ann.tags, ann.hashing_algorithm], [
        ["management", "monitoring"],
        "rabbit_password_hashing_sha256",
      ]);
      const everything = JSON.stringify([(await get("users")).json, log]);
      assert(!everything.includes("t0p-s3cret"), everything);
      assertEquals(
        (await call("GET", "overview", undefined, { auth: "ann:not-it" })).status,
        401,
      );
      assert(!log.join("\n").includes("not-it"), log.join("\n"));
      assert(log.some((l) => /login refused .*user 'ann' - invalid credentials/.test(l)));
    }, { log: (l) => log.push(l) });
  },
);

Deno.test("management API: a bad user body is 400 with RabbitMQ's reason", testOpts, async () => {
  await withApi(async ({ call }) => {
    const cases: [unknown, RegExp][] = [
      [{ password: "a", password_hash: RABBITMQ_HASH }, /^both_password_and_password_hash/],
      [{ password_hash: "not base64!" }, /^not_base64/],
      [{ password_hash: RABBITMQ_HASH, hashing_algorithm: "rot13" }, /hashing_algorithm/],
      [{ password: 7 }, /password must be a string/],
      [{ password: "a", tags: 7 }, /tags must be/],
    ];
    for (const [body, reason] of cases) {
      const r = await call("PUT", "users/bad", body);
      assertEquals([r.status, r.json.error], [400, "bad_request"], JSON.stringify(body));
      assert(reason.test(r.json.reason), r.json.reason);
    }
    assertEquals((await call("GET", "users/bad")).status, 404);
  });
});

Deno.test(
  "management API: permissions are listed, set, replaced and deleted",
  testOpts,
  async () => {
    await withApi(async ({ call, get }) => {
      await call("PUT", "vhosts/class1");
      await call("PUT", "users/ann", { password: "pw", tags: "" });
      const p = { configure: "^ann-", write: "^ann-", read: "" };
      assertEquals(
        (await get("users/without-permissions")).json.map((u: { name: string }) => u.name),
        [
          "ann",
        ],
      );
      assertEquals((await call("PUT", "permissions/class1/ann", p)).status, 201);
      assertEquals((await call("PUT", "permissions/class1/ann", { ...p, read: ".*" })).status, 204);
      const entry = {
        user: "ann",
        vhost: "class1",
        configure: "^ann-",
        write: "^ann-",
        read: ".*",
      };
      assertEquals((await get("permissions/class1/ann")).json, entry);
      assertEquals((await get("users/ann/permissions")).json, [entry]);
      // guest created class1, so it has every permission there (as RabbitMQ).
      assertEquals(
        (await get("vhosts/class1/permissions")).json.map((e: { user: string }) => e.user),
        [
          "ann",
          "guest",
        ],
      );
      assertEquals((await get("permissions")).json.length, 3);
      const bad: [string, unknown, string][] = [
        ["permissions/class1/ann", { configure: "", write: "" }, "[{key_missing,read}]"],
        ["permissions/class1/nobody", p, "vhost_or_user_not_found"],
        ["permissions/nowhere/ann", p, "vhost_or_user_not_found"],
      ];
      for (const [path, body, reason] of bad) {
        assertEquals((await call("PUT", path, body)).json, { error: "bad_request", reason });
      }
      const invalid = await call("PUT", "permissions/class1/ann", { ...p, write: "(" });
      assertEquals(invalid.status, 400);
      assert(/^invalid_regexp/.test(invalid.json.reason), invalid.json.reason);
      assertEquals((await call("DELETE", "permissions/class1/ann")).status, 204);
      assertEquals((await call("DELETE", "permissions/class1/ann")).status, 404);
      assertEquals((await get("permissions/class1/ann")).status, 404);
      // Deleting a vhost takes its permissions along; it is 404 afterwards.
      assertEquals((await call("DELETE", "vhosts/class1")).status, 204);
      assertEquals((await call("DELETE", "vhosts/class1")).status, 404);
      assertEquals((await get("permissions")).json.map((e: { vhost: string }) => e.vhost), ["/"]);
    });
  },
);
