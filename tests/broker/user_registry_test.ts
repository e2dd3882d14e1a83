/** user_registry.ts: the one place users, vhosts and permissions change. */
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { hashPassword } from "../../src/broker/password.ts";
import { type RegistryChange, UserRegistry } from "../../src/broker/user_registry.ts";

Deno.test("withDefaults() is RabbitMQ's first boot: vhost /, guest/guest administrator from loopback", () => {
  const r = UserRegistry.withDefaults();
  assertEquals(r.vhostNames(), ["/"]);
  const guest = r.get("guest")!;
  assertEquals([guest.tags, guest.loopbackOnly], [["administrator"], true]);
  assertEquals(r.permissions(), [
    { user: "guest", vhost: "/", configure: ".*", write: ".*", read: ".*" },
  ]);
  assert("user" in r.login("guest", "guest", true));
  assertEquals(r.login("guest", "guest", false), {
    refused: "user 'guest' can only connect via localhost",
  });
});

Deno.test("a clear password is hashed at once and appears nowhere", () => {
  const r = new UserRegistry();
  const changes: RegistryChange[] = [];
  r.subscribe((c) => changes.push(c));
  r.putUser({ name: "ann", password: "correct horse", tags: ["management"] });
  const everything = JSON.stringify([r.definitions(), changes, r.get("ann")]);
  assert(!everything.includes("correct horse"), everything);
  assert("user" in r.login("ann", "correct horse", false));
  assertEquals(r.login("ann", "wrong", false), { refused: "user 'ann' - invalid credentials" });
});

Deno.test("putUser() takes a hash instead of a password, never both; none means no login", () => {
  const r = new UserRegistry();
  r.putUser({ name: "bob", passwordHash: hashPassword("pw"), tags: [] });
  assert("user" in r.login("bob", "pw", false));
  throws(
    () => r.putUser({ name: "bob", password: "a", passwordHash: hashPassword("b") }),
    /both_password_and_password_hash_are_provided/,
  );
  r.putUser({ name: "bob", tags: ["monitoring"] }); // as RabbitMQ: the password is cleared
  assertEquals(r.get("bob")!.passwordHash, "");
  assertEquals(r.login("bob", "pw", false), { refused: "user 'bob' - invalid credentials" });
});

Deno.test("deleting a user or a vhost takes its permissions along, and each change is announced", () => {
  const r = new UserRegistry();
  const seen: string[] = [];
  r.subscribe((c) => seen.push(c.kind));
  r.addVhost("class1");
  assertEquals(r.addVhost("class1"), false);
  r.putUser({ name: "ann", password: "pw" });
  r.setPermission("ann", "class1", { configure: ".*", write: ".*", read: "" });
  throws(() => r.setPermission("nobody", "class1", { configure: "", write: "", read: "" }), {
    message: "vhost_or_user_not_found",
  });
  throws(() => r.setPermission("ann", "nowhere", { configure: "", write: "", read: "" }), {
    message: "vhost_or_user_not_found",
  });
  assertEquals(r.permission("ann", "class1"), { configure: ".*", write: ".*", read: "" });
  const before = r.version;
  assert(r.deleteVhost("class1"));
  assert(r.version > before);
  assertEquals(r.permissions(), []);
  r.addVhost("class1");
  assertEquals(r.permission("ann", "class1"), undefined); // a new vhost starts bare
  r.setPermission("ann", "class1", { configure: "", write: "", read: "" });
  assert(r.deleteUser("ann"));
  assertEquals([r.deleteUser("ann"), r.clearPermission("ann", "class1")], [false, false]);
  assertEquals(r.permissions(), []);
  assertEquals(seen, [
    "vhost-added",
    "user-put",
    "permission-set",
    "vhost-deleted",
    "vhost-added",
    "permission-set",
    "user-deleted",
  ]);
});

Deno.test("definitions() has RabbitMQ's shape: users with their hashes, vhosts, permissions", () => {
  const r = UserRegistry.withDefaults();
  const d = r.definitions();
  assertEquals(Object.keys(d), ["users", "vhosts", "permissions"]);
  assertEquals(Object.keys(d.users[0]!), [
    "name",
    "password_hash",
    "hashing_algorithm",
    "tags",
    "limits",
  ]);
  assertEquals(d.users[0]!.hashing_algorithm, "rabbit_password_hashing_sha256");
  assertEquals(d.vhosts, [{ name: "/" }]);
});

Deno.test("fromDefinitions() restores what definitions() gave: logins, tags, permissions", () => {
  const r = UserRegistry.withDefaults();
  r.addVhost("class1");
  r.putUser({ name: "ann", password: "pw", tags: ["management"] });
  r.setPermission("ann", "class1", { configure: "^ann-", write: ".*", read: "" });
  const copy = UserRegistry.fromDefinitions(JSON.parse(JSON.stringify(r.definitions())));
  assertEquals(copy.definitions(), r.definitions());
  assert("user" in copy.login("ann", "pw", false));
  assertEquals(copy.login("guest", "guest", false), {
    refused: "user 'guest' can only connect via localhost",
  });
});

Deno.test("guest is loopback-only by name, as RabbitMQ's loopback_users, even when made again", () => {
  const r = UserRegistry.withDefaults();
  r.deleteUser("guest");
  r.putUser({ name: "guest", password: "new" });
  assertEquals(r.login("guest", "new", false), {
    refused: "user 'guest' can only connect via localhost",
  });
  assert("user" in r.login("guest", "new", true));
});
