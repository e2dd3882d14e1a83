/**
 * Users, vhosts and permissions made through the management API are in the
 * data dir: after a restart a student's user logs in to its vhost with its
 * password and permissions, a deleted user stays deleted, and a damaged
 * record is a clear StoreError naming the file.
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { type RunningBroker, startBroker } from "../../../src/broker/server.ts";
import { STORE_FILE, StoreError } from "../../../src/broker/store_schema.ts";
import { openClient } from "../support/amqplib.ts";
import { type BrokerProcess, spawnBroker } from "../support/broker_process.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function withBroker(dir: string, fn: (b: RunningBroker) => Promise<void>): Promise<void> {
  const b = await startBroker({ port: 0, httpPort: 0, dataDir: dir });
  try {
    await fn(b);
  } finally {
    await b.close();
  }
}

async function put(b: RunningBroker, path: string, body: unknown, method = "PUT") {
  const res = await fetch(`http://127.0.0.1:${b.management!.port}/api/${path}`, {
    method,
    headers: { authorization: `Basic ${btoa("guest:guest")}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.body?.cancel();
  assert(res.status < 300, `${method} ${path}: ${res.status}`);
}

Deno.test(
  "users, vhosts and permissions survive a restart; deleted ones stay deleted",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "warren-users-" });
    try {
      await withBroker(dir, async (b) => {
        await put(b, "vhosts/class1", {});
        await put(b, "users/alice", { password: "s3cret", tags: "management" });
        await put(b, "users/bob", { password: "bobpw", tags: "" });
        await put(b, "permissions/class1/alice", {
          configure: "^alice\\.",
          write: ".*",
          read: ".*",
        });
        await put(b, "users/bob", undefined, "DELETE");
      });
      await withBroker(dir, async (b) => {
        assertEquals(b.core.users.vhostNames(), ["/", "class1"]);
        assertEquals(b.core.users.list().map((u) => u.name), ["alice", "guest"]);
        assertEquals(b.core.users.get("alice")!.tags, ["management"]);
        assertEquals(b.core.users.permission("alice", "class1"), {
          configure: "^alice\\.",
          write: ".*",
          read: ".*",
        });
        const url = `amqp://alice:s3cret@127.0.0.1:${b.port}/class1`;
        const c = await openClient(url, {});
        try {
          const ch = await c.channel();
          await ch.assertQueue("alice.q", { durable: false });
        } finally {
          await c.close();
        }
        await rejects(openClient(`amqp://alice:wrong@127.0.0.1:${b.port}/class1`, {}));
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("a damaged users record is a StoreError naming the file", opts, async () => {
  const dir = await Deno.makeTempDir({ prefix: "warren-users-" });
  try {
    await withBroker(dir, () => Promise.resolve());
    const file = join(dir, STORE_FILE);
    const db = new DatabaseSync(file);
    db.prepare("UPDATE definitions SET value = ? WHERE kind = 'registry'").run('{"users":7}');
    db.close();
    await rejects(
      startBroker({ port: 0, dataDir: dir }),
      (e: unknown) => e instanceof StoreError && e.message.includes(file),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "a user change is on disk once answered: kill -9 right after, and it is there",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "warren-users-kill-" });
    const auth = { authorization: `Basic ${btoa("guest:guest")}` };
    const httpPort = (b: BrokerProcess) =>
      Number(/management API on http:\/\/[^\s]+:(\d+)/.exec(b.stdout)![1]);
    try {
      let broker = await spawnBroker(["--data-dir", dir]);
      const names = ["u1", "u2", "u3", "u4", "u5"];
      for (const name of names) {
        const res = await fetch(`http://127.0.0.1:${httpPort(broker)}/api/users/${name}`, {
          method: "PUT",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ password: "pw", tags: "" }),
        });
        await res.body?.cancel();
        assertEquals(res.status, 201);
        Deno.kill(broker.pid, "SIGKILL");
        await broker.stop();
        broker = await spawnBroker(["--data-dir", dir]);
      }
      const res = await fetch(`http://127.0.0.1:${httpPort(broker)}/api/users`, { headers: auth });
      const users = (await res.json() as { name: string }[]).map((u) => u.name);
      await broker.stop();
      assertEquals(users.filter((u) => names.includes(u)), names);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
