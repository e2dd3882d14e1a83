/**
 * Conformance: users, vhosts and permissions, as RabbitMQ 3.10 enforces them.
 * Each case creates a user and a vhost through the management API of the
 * broker it targets (the embedded broker's own HTTP port; RabbitMQ's
 * RABBITMQ_MGMT_URL), gives the user limited permissions, and asserts the
 * same close codes and texts on both. What it creates is deleted after it.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startBroker } from "../../src/broker/server.ts";
import { api, type ApiTarget, targetFromUrl } from "./http/support.ts";
import { Buffer, type Channel, channelClosed, type Client, openClient } from "./support/amqplib.ts";
import { refusedHandshake } from "./support/raw_client.ts";
import { RABBITMQ_URL } from "./support/targets.ts";
import { withTimeout } from "./support/timing.ts";

const RABBITMQ_MGMT_URL = Deno.env.get("RABBITMQ_MGMT_URL") || undefined;
const opts = { sanitizeOps: false, sanitizeResources: false };

interface Target {
  /** amqp://HOST:PORT, no credentials. */
  amqp: string;
  mgmt: ApiTarget;
  close(): Promise<void>;
}

type TargetFactory = () => Promise<Target>;

const embedded: TargetFactory = async () => {
  const b = await startBroker({ port: 0, httpPort: 0 });
  return {
    amqp: `amqp://127.0.0.1:${b.port}`,
    mgmt: { base: b.management!.url, auth: "guest:guest" },
    close: () => b.close(),
  };
};

const rabbitmq: TargetFactory = () => {
  const u = new URL(RABBITMQ_URL!);
  return Promise.resolve({
    amqp: `amqp://${u.host}`,
    mgmt: targetFromUrl(RABBITMQ_MGMT_URL!),
    close: () => Promise.resolve(),
  });
};

interface Lab {
  target: Target;
  user: string;
  vhost: string;
  password: string;
  /** A connection of the lab's user to the lab's vhost, closed after the case. */
  open(): Promise<Client>;
  /** guest's connection to the lab's vhost, to set up queues and exchanges. */
  admin: Client;
}

/** Registers `name` on the embedded broker and, when both URLs are set, on RabbitMQ. */
function forEachApiBroker(name: string, fn: (lab: Lab) => Promise<void>): void {
  const targets: [string, TargetFactory, string | undefined][] = [
    ["embedded", embedded, undefined],
    [
      "rabbitmq",
      rabbitmq,
      RABBITMQ_URL && RABBITMQ_MGMT_URL ? undefined : "RABBITMQ_URL or RABBITMQ_MGMT_URL not set",
    ],
  ];
  for (const [label, factory, skip] of targets) {
    if (skip) {
      Deno.test({ name: `[${label}] ${name} (skipped: ${skip})`, ignore: true, fn: () => {} });
      continue;
    }
    Deno.test(`[${label}] ${name}`, opts, async () => {
      const target = await factory();
      const id = `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
      const [user, vhost, password] = [`warren-perm-u-${id}`, `warren-perm-v-${id}`, "pw-" + id];
      const clients: Client[] = [];
      const call = (method: string, path: string, body?: unknown) =>
        api(target.mgmt, method, path, body);
      const v = encodeURIComponent(vhost);
      try {
        assertEquals((await call("PUT", `vhosts/${v}`)).status, 201);
        assertEquals((await call("PUT", `users/${user}`, { password, tags: "" })).status, 201);
        const all = { configure: ".*", write: ".*", read: ".*" };
        // Whoever creates a vhost through the API already has every permission on it.
        assertEquals((await call("GET", `permissions/${v}/guest`)).json.configure, ".*");
        assertEquals((await call("PUT", `permissions/${v}/guest`, all)).status, 204);
        const admin = await openClient(target.amqp, {
          username: "guest",
          password: "guest",
          vhost,
        });
        clients.push(admin);
        await withTimeout(
          fn({
            target,
            user,
            vhost,
            password,
            admin,
            open: async () => {
              const c = await openClient(target.amqp, { username: user, password, vhost });
              clients.push(c);
              return c;
            },
          }),
          30_000,
          "test body",
        );
      } finally {
        for (const c of clients) await c.close();
        await call("DELETE", `vhosts/${v}`);
        await call("DELETE", `users/${user}`);
        await target.close();
      }
    });
  }
}

/** The code and text a failed amqplib call (or a channel it closed) carries. */
function closeOf(e: unknown): { code: number; text: string } {
  const err = e as {
    code?: number;
    message?: string;
    fields?: { replyCode: number; replyText: string };
  };
  if (err.fields) return { code: err.fields.replyCode, text: err.fields.replyText };
  const text = /with message "(.*)"$/s.exec(err.message ?? "")?.[1] ?? String(err.message);
  return { code: err.code ?? 0, text };
}

type Outcome = "ok" | { code: number; text: string };
type Expected = "ok" | { code: number; text: string | RegExp };

/** Runs `op` on a fresh channel; its outcome, or the close it caused. */
async function outcome(client: Client, op: (ch: Channel) => Promise<unknown>): Promise<Outcome> {
  const ch = await client.channel();
  try {
    await op(ch);
    return "ok";
  } catch (e) {
    return closeOf(e);
  }
}

/** A publish is refused asynchronously: the channel closes. */
async function publishOutcome(client: Client, exchange: string): Promise<Outcome> {
  const ch = await client.channel();
  ch.publish(exchange, "k", Buffer.from("m"));
  try {
    await ch.checkExchange("amq.direct"); // a round trip after the publish: it was accepted
    return "ok";
  } catch {
    const closed = await withTimeout(channelClosed(ch), 3000, "channel close after publish");
    return closed ? closeOf(closed) : "ok";
  }
}

const refused = (kind: string, name: string, lab: Lab) => ({
  code: 403,
  text:
    `ACCESS_REFUSED - access to ${kind} '${name}' in vhost '${lab.vhost}' refused for user '${lab.user}'`,
});

function assertOutcome(got: Outcome, expected: Expected): void {
  if (expected === "ok" || got === "ok" || typeof expected.text === "string") {
    assertEquals(got, expected);
    return;
  }
  assertEquals(got.code, expected.code);
  assert(expected.text.test(got.text), got.text);
}

forEachApiBroker(
  "connection.open without permissions on the vhost is 530 NOT_ALLOWED",
  async (lab) => {
    const { hostname, port } = new URL(lab.target.amqp);
    const error = await refusedHandshake(hostname, Number(port), {
      username: lab.user,
      password: lab.password,
      vhost: lab.vhost,
    });
    assert(
      error.includes(
        `"code":530,"text":"NOT_ALLOWED - access to vhost '${lab.vhost}' refused for user '${lab.user}'"`,
      ),
      error,
    );
  },
);

forEachApiBroker(
  "every AMQP operation needs its permission, refused with RabbitMQ's 403 texts",
  async (lab) => {
    const v = encodeURIComponent(lab.vhost);
    const perms = { configure: "^c-|^cr-", write: "^w-", read: "^r-|^cr-" };
    assertEquals(
      (await api(lab.target.mgmt, "PUT", `permissions/${v}/${lab.user}`, perms)).status,
      201,
    );
    const setup = await lab.admin.channel();
    for (const q of ["x-q", "w-q", "r-q"]) await setup.assertQueue(q);
    for (const x of ["x-x", "w-x", "r-x"]) await setup.assertExchange(x, "direct");
    const c = await lab.open();
    const ex = (name: string) => refused("exchange", name, lab);
    const q = (name: string) => refused("queue", name, lab);
    const cases: [string, (ch: Channel) => Promise<unknown>, Expected][] = [
      ["queue.declare needs configure", (ch) => ch.assertQueue("x-new"), q("x-new")],
      ["queue.declare of a permitted name", (ch) => ch.assertQueue("c-new"), "ok"],
      ["a server-named queue is checked under its generated name", (ch) => ch.assertQueue(""), {
        code: 403,
        text: new RegExp(
          `^ACCESS_REFUSED - access to queue 'amq\\.gen-[\\w-]{22}' in vhost '${lab.vhost}' refused for user '${lab.user}'$`,
        ),
      }],
      ["a passive declare needs no permission", (ch) => ch.checkQueue("x-q"), "ok"],
      [
        "redeclaring an existing queue still needs configure",
        (ch) => ch.assertQueue("x-q"),
        q("x-q"),
      ],
      [
        "queue.delete needs configure, even of a missing queue",
        (ch) => ch.deleteQueue("x-no"),
        q("x-no"),
      ],
      ["exchange.declare needs configure", (ch) => ch.assertExchange("x-x2", "direct"), ex("x-x2")],
      [
        "an amq.* exchange is refused for its permission first",
        (ch) => ch.assertExchange("amq.zz", "direct"),
        ex("amq.zz"),
      ],
      ["the default exchange keeps its own refusal", (ch) => ch.assertExchange("", "direct"), {
        code: 403,
        text: "ACCESS_REFUSED - operation not permitted on the default exchange",
      }],
      ["exchange.delete needs configure", (ch) => ch.deleteExchange("x-x"), ex("x-x")],
      ["queue.bind needs write on the queue", (ch) => ch.bindQueue("x-q", "r-x", "k"), q("x-q")],
      ["queue.bind needs read on the exchange", (ch) => ch.bindQueue("w-q", "x-x", "k"), ex("x-x")],
      ["queue.bind with both", (ch) => ch.bindQueue("w-q", "r-x", "k"), "ok"],
      ["queue.unbind needs the same", (ch) => ch.unbindQueue("x-q", "r-x", "k"), q("x-q")],
      [
        "exchange.bind needs write on the destination",
        (ch) => ch.bindExchange("x-x", "r-x", "k"),
        ex("x-x"),
      ],
      [
        "exchange.bind needs read on the source",
        (ch) => ch.bindExchange("w-x", "x-x", "k"),
        ex("x-x"),
      ],
      ["exchange.unbind needs the same", (ch) => ch.unbindExchange("w-x", "x-x", "k"), ex("x-x")],
      ["basic.consume needs read", (ch) => ch.consume("x-q", () => {}), q("x-q")],
      ["basic.get needs read", (ch) => ch.get("x-q"), q("x-q")],
      ["queue.purge needs read", (ch) => ch.purgeQueue("x-q"), q("x-q")],
      ["consume, get and purge with read", async (ch) => {
        await ch.get("r-q");
        await ch.purgeQueue("r-q");
        await ch.consume("r-q", () => {});
      }, "ok"],
      [
        "a dead-letter exchange needs read on the new queue",
        (ch) => ch.assertQueue("c-dlx", { deadLetterExchange: "w-x" }),
        q("c-dlx"),
      ],
      [
        "a dead-letter exchange needs write on it",
        (ch) => ch.assertQueue("cr-dlx", { deadLetterExchange: "x-x" }),
        ex("x-x"),
      ],
      [
        "a dead-letter exchange with both",
        (ch) => ch.assertQueue("cr-dlx2", { deadLetterExchange: "w-x" }),
        "ok",
      ],
      [
        "an alternate exchange needs read on the new exchange",
        (ch) => ch.assertExchange("c-ae", "fanout", { alternateExchange: "w-x" }),
        ex("c-ae"),
      ],
      [
        "an alternate exchange needs write on it",
        (ch) => ch.assertExchange("cr-ae", "fanout", { alternateExchange: "x-x" }),
        ex("x-x"),
      ],
    ];
    const failed: string[] = [];
    for (const [name, op, expected] of cases) {
      const got = await outcome(c, op);
      try {
        assertOutcome(got, expected);
      } catch {
        failed.push(
          `${name}: got ${JSON.stringify(got)}, expected ${
            String(JSON.stringify(expected) ?? expected)
          }`,
        );
      }
    }
    const publishes: [string, Expected][] = [
      ["x-x", ex("x-x")],
      ["", ex("amq.default")], // the default exchange is checked as amq.default
      ["missing-x", ex("missing-x")], // refused before its 404
      ["w-x", "ok"],
    ];
    for (const [exchange, expected] of publishes) {
      const got = await publishOutcome(c, exchange);
      try {
        assertOutcome(got, expected);
      } catch {
        failed.push(
          `publish to '${exchange}': got ${JSON.stringify(got)}, expected ${
            JSON.stringify(expected)
          }`,
        );
      }
    }
    assertEquals(failed, []);
  },
);

forEachApiBroker("deleting a user closes its connections with 320", async (lab) => {
  const v = encodeURIComponent(lab.vhost);
  const all = { configure: ".*", write: ".*", read: ".*" };
  await api(lab.target.mgmt, "PUT", `permissions/${v}/${lab.user}`, all);
  const c = await lab.open();
  // Clearing permissions leaves open connections alone (as RabbitMQ).
  assertEquals((await api(lab.target.mgmt, "DELETE", `permissions/${v}/${lab.user}`)).status, 204);
  await c.channel();
  assertEquals((await api(lab.target.mgmt, "DELETE", `users/${lab.user}`)).status, 204);
  const closed = await withTimeout(c.closed, 5000, "connection closed");
  assertEquals(closeOf(closed), {
    code: 320,
    text: `CONNECTION_FORCED - user '${lab.user}' is deleted`,
  });
});

forEachApiBroker(
  "management API: a management user reads only its vhosts and may not administer",
  async (lab) => {
    const v = encodeURIComponent(lab.vhost);
    const { mgmt } = lab.target;
    const body = { password: lab.password, tags: "management" };
    assertEquals((await api(mgmt, "PUT", `users/${lab.user}`, body)).status, 204);
    const perms = { configure: "", write: "", read: ".*" };
    await api(mgmt, "PUT", `permissions/${v}/${lab.user}`, perms);
    const as = (method: string, path: string, body?: unknown) =>
      api(mgmt, method, path, body, { auth: `${lab.user}:${lab.password}` });
    assertEquals((await as("GET", "whoami")).json, { name: lab.user, tags: ["management"] });
    const notAdmin = { error: "not_authorised", reason: "Not administrator user" };
    for (const path of ["users", `users/${lab.user}`, "permissions", `vhosts/${v}/permissions`]) {
      const r = await as("GET", path);
      assertEquals([path, r.status, r.json], [path, 401, notAdmin]);
    }
    const put = await as("PUT", "vhosts/warren-perm-never-created");
    assertEquals([put.status, put.json], [401, notAdmin]);
    assertEquals((await as("GET", "vhosts")).json.map((x: { name: string }) => x.name), [
      lab.vhost,
    ]);
    const other = await as("GET", "queues/%2F");
    assertEquals([other.status, other.json], [401, {
      error: "not_authorised",
      reason: "User not authorised to access virtual host",
    }]);
    assertEquals((await as("GET", `queues/${v}`)).status, 200);
    // Changes through the API need the AMQP permission too.
    const declared = await as("PUT", `queues/${v}/mq-q`, { durable: false });
    assertEquals([declared.status, declared.json], [401, {
      error: "not_authorised",
      reason: "Access refused.",
    }]);
  },
);
