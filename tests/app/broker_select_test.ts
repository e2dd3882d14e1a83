/**
 * Choosing the broker: the flag's forms, URLs with the password hidden, the
 * AMQP handshake probe against fake servers on port 0 and a closed port,
 * and `auto` starting the embedded broker when nothing answers.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  amqpAddress,
  chooseBroker,
  defaultMgmtUrl,
  parseBrokerFlag,
  probeAmqp,
  redactUrl,
  urlVhost,
} from "../../src/app/broker_select.ts";
import { startBrokerSession } from "../../src/app/broker_session.ts";
import type { BrokerStatus } from "../../src/app/broker_status.ts";
import type { AppEvent } from "../../src/app/update.ts";

Deno.test("parseBrokerFlag(): auto, embedded, an amqp(s) URL, or an error", () => {
  assertEquals(parseBrokerFlag(undefined), { kind: "auto" });
  assertEquals(parseBrokerFlag("auto"), { kind: "auto" });
  assertEquals(parseBrokerFlag("embedded"), { kind: "embedded" });
  assertEquals(parseBrokerFlag("amqps://h"), { kind: "url", url: "amqps://h" });
  const bad = parseBrokerFlag("http://u:secret@h");
  assert(bad instanceof Error && !bad.message.includes("secret"), String(bad));
  // A vhost that cannot be decoded is refused here, not later in the session.
  const badVhost = parseBrokerFlag("amqp://u:secret@h/%zz");
  assert(badVhost instanceof Error && !badVhost.message.includes("secret"), String(badVhost));
  assertEquals(
    badVhost.message,
    "'amqp://u:***@h/%zz': its vhost is not valid %-encoding (a '/' is %2F)",
  );
});

Deno.test("urlVhost(): the vhost a URL names, decoded; none without a path", () => {
  assertEquals(urlVhost("amqp://h"), undefined);
  assertEquals(urlVhost("amqp://h/"), undefined);
  assertEquals(urlVhost("amqp://h/class1"), "class1");
  assertEquals(urlVhost("amqp://h/%2F"), "/");
});

Deno.test("redactUrl() hides the password, URL or not", () => {
  assertEquals(redactUrl("amqp://guest:guest@127.0.0.1:5672"), "amqp://guest:***@127.0.0.1:5672");
  assertEquals(redactUrl("amqp://127.0.0.1:5672/vh"), "amqp://127.0.0.1:5672/vh");
  assertEquals(redactUrl("amqp://u:p w@[::1"), "amqp://u:***@[::1");
});

Deno.test("defaultMgmtUrl() is the AMQP host on 15672 with its credentials", () => {
  assertEquals(defaultMgmtUrl("amqp://a:b@rabbit:5673/v"), "http://a:b@rabbit:15672");
  assertEquals(defaultMgmtUrl("amqp://[::1]"), "http://guest:guest@[::1]:15672");
  assertEquals(amqpAddress("amqps://h"), { hostname: "h", port: 5671 });
  assertEquals(amqpAddress("amqp://[::1]:7"), { hostname: "::1", port: 7 });
});

/** A server on port 0 that answers every connection with `reply` (or nothing). */
function fakeServer(reply: Uint8Array | undefined): { port: number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const done = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      const header = new Uint8Array(8);
      await conn.read(header).catch(() => null);
      if (reply) await conn.write(reply).catch(() => 0);
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed by the probe */ }
      }
      await done;
    },
  };
}

/** frame type 1, channel 0, size, class 10, method 10 (connection.start), then a few bytes. */
const CONNECTION_START = new Uint8Array([1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 10, 0, 9]);

function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close();
  return port;
}

Deno.test("probeAmqp(): connection.start is a broker; HTTP, silence and a closed port are not", async (t) => {
  for (
    const [name, reply, expected] of [
      ["connection.start", CONNECTION_START, true],
      ["an HTTP server", new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"), false],
      [
        "connection.tune instead of start",
        new Uint8Array([1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 30]),
        false,
      ],
      ["silence", undefined, false],
    ] as const
  ) {
    await t.step(name, async () => {
      const server = fakeServer(reply);
      try {
        assertEquals(await probeAmqp("127.0.0.1", server.port, 200), expected);
      } finally {
        await server.close();
      }
    });
  }
  await t.step("a closed port", async () => {
    assertEquals(await probeAmqp("127.0.0.1", closedPort(), 200), false);
  });
});

Deno.test("chooseBroker(): a URL as given; auto takes what answers, else embedded", async () => {
  const url = "amqp://u:p@h:1";
  const never = () => Promise.reject(new Error("must not probe"));
  assertEquals(await chooseBroker({ kind: "url", url }, never), { kind: "url", url });
  assertEquals(await chooseBroker({ kind: "embedded" }, never), { kind: "embedded" });
  const server = fakeServer(CONNECTION_START);
  try {
    const local = `amqp://guest:guest@127.0.0.1:${server.port}`;
    assertEquals(await chooseBroker({ kind: "auto" }, undefined, local), {
      kind: "url",
      url: local,
    });
  } finally {
    await server.close();
  }
  const none = `amqp://guest:guest@127.0.0.1:${closedPort()}`;
  assertEquals(await chooseBroker({ kind: "auto" }, undefined, none), { kind: "embedded" });
});

Deno.test({
  name:
    "auto with nothing answering starts the embedded broker in a Worker; the link reports it up",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const none = `amqp://guest:guest@127.0.0.1:${closedPort()}`;
    const statuses: BrokerStatus[] = [];
    const urls: string[] = [];
    const { promise: up, resolve } = Promise.withResolvers<BrokerStatus>();
    const session = startBrokerSession(
      {
        broker: { kind: "auto" },
        // Free ports: a test never binds 5672/15672.
        embeddedPorts: { port: 0, httpPort: 0 },
        embeddedDataDir: "none",
        choose: (flag) => chooseBroker(flag, undefined, none),
        onAmqpUrl: (url) => urls.push(url),
      },
      (event: AppEvent) => {
        if (event.type !== "broker") return;
        statuses.push(event.status);
        if (event.status.amqp.state === "up" && event.status.mgmt.state === "ok") {
          resolve(event.status);
        }
      },
    );
    try {
      const status = await up;
      assertEquals(status.kind, "embedded");
      assertEquals(status.product, "warren");
      assert(/^amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+$/.test(status.url), status.url);
      assert(!/:5672$/.test(status.url), "not on RabbitMQ's port");
      assert(statuses.every((s) => !JSON.stringify(s).includes("guest:guest")));
      // The actors get the URL itself, password included, once, before the link is up.
      assertEquals(urls, [status.url.replace("***", "guest")]);
    } finally {
      await session.close();
    }
  },
});
