/** permissions.ts and access_control.ts: RabbitMQ's permission expressions and refusals. */
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { AccessControl } from "../../src/broker/access_control.ts";
import { AmqpError } from "../../src/broker/errors.ts";
import {
  accessRefusal,
  permissionProblem,
  permits,
  resourceName,
} from "../../src/broker/permissions.ts";
import { UserRegistry } from "../../src/broker/user_registry.ts";

Deno.test("permits() follows RabbitMQ's conventions for '', '^$', '.*' and unanchored matches", async (t) => {
  const cases: [string, string, boolean][] = [
    [".*", "anything", true],
    [".*", "amq.default", true],
    ["", "anything", false], // empty: nothing at all (not "matches everything")
    ["", "", false],
    ["^$", "jobs", false], // only the empty name, which no resource has
    ["^$", "amq.default", false],
    ["jobs", "my-jobs-queue", true], // unanchored, as Erlang's re:run
    ["^jobs$", "my-jobs-queue", false],
    ["^(amq\\.gen.*|amq\\.default)$", "amq.gen-abc", true],
    ["^(amq\\.gen.*|amq\\.default)$", "amq.default", true],
    ["^(amq\\.gen.*|amq\\.default)$", "jobs", false],
    ["^alice-", "alice-tasks", true],
    ["^alice-", "bob-tasks", false],
  ];
  for (const [re, name, expected] of cases) {
    await t.step(`${JSON.stringify(re)} on ${JSON.stringify(name)}`, () => {
      assertEquals(permits({ configure: re, write: "", read: "" }, "configure", name), expected);
    });
  }
  assertEquals(permits(undefined, "read", "x"), false);
});

Deno.test("the default exchange is checked and named as amq.default", () => {
  assertEquals(resourceName("exchange", ""), "amq.default");
  assertEquals(resourceName("queue", ""), "");
  const e = accessRefusal("exchange", "", "/", "ann");
  assertEquals(
    [e.code, e.text],
    [403, "ACCESS_REFUSED - access to exchange 'amq.default' in vhost '/' refused for user 'ann'"],
  );
});

Deno.test("permissionProblem() names a missing key or an expression that does not compile", () => {
  assertEquals(permissionProblem({ configure: ".*", write: ".*", read: ".*" }), undefined);
  assertEquals(permissionProblem({ configure: "", write: "", read: "" }), undefined);
  assertEquals(permissionProblem({ configure: ".*", write: ".*" }), "[{key_missing,read}]");
  assertEquals(
    permissionProblem({ configure: 1, write: ".*", read: ".*" }),
    "[{key_missing,configure}]",
  );
  assert(
    /^invalid_regexp: '\(' \(write\)/.test(
      permissionProblem({ configure: "", write: "(", read: "" })!,
    ),
  );
});

Deno.test("AccessControl refuses with RabbitMQ's text and follows permission changes at once", () => {
  const users = UserRegistry.withDefaults();
  users.putUser({ name: "ann", password: "pw" });
  users.setPermission("ann", "/", { configure: "^ann-", write: "^ann-", read: "^ann-" });
  const access = new AccessControl(users, "ann", "/");
  access.check("configure", "queue", "ann-jobs");
  const e = (() => {
    try {
      access.check("read", "queue", "bob-jobs");
    } catch (e) {
      return e as AmqpError;
    }
  })();
  assert(e instanceof AmqpError);
  assertEquals(
    e.text,
    "ACCESS_REFUSED - access to queue 'bob-jobs' in vhost '/' refused for user 'ann'",
  );
  // A remembered grant is forgotten when the registry changes.
  access.check("write", "exchange", "ann-x");
  users.setPermission("ann", "/", { configure: "", write: "", read: "" });
  throws(() => access.check("write", "exchange", "ann-x"), /access to exchange 'ann-x'/);
  users.clearPermission("ann", "/");
  throws(() => access.check("configure", "queue", "ann-jobs"), /ACCESS_REFUSED/);
});
