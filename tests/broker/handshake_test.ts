/**
 * Refused logins and refused connection.open, on the broker's fake clock: a
 * client without the authentication_failure_close capability hears nothing
 * and is dropped after RabbitMQ's 3 s; the log names the user, never the
 * password.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startBroker } from "../../src/broker/server.ts";
import { FakeTimers } from "./support/fake_timers.ts";
import { RawClient, refusedHandshake } from "./support/raw_client.ts";
import { decodeClose, methodFrame, PROTOCOL_HEADER, Writer } from "./support/wire.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** Header, start, then start-ok with PLAIN `user`/`password` and the given capabilities. */
async function startOk(raw: RawClient, user: string, password: string, capabilities = {}) {
  await raw.write(PROTOCOL_HEADER);
  await raw.expectMethod(10, 10);
  await raw.write(methodFrame(
    0,
    10,
    11,
    new Writer().table({ product: "test", capabilities }).shortstr("PLAIN")
      .longstr(new TextEncoder().encode(`\0${user}\0${password}`)).shortstr("en_US").done(),
  ));
}

Deno.test(
  "a refused login without authentication_failure_close is dropped after 3 s of broker time",
  opts,
  async () => {
    const timers = new FakeTimers();
    const log: string[] = [];
    const b = await startBroker({ port: 0, timers, log: (l) => log.push(l) });
    try {
      const raw = await RawClient.connect("127.0.0.1", b.port);
      await startOk(raw, "guest", "hunter2-wrong");
      // Nothing comes back while the broker's clock stands still.
      assertEquals(await raw.readFrame(300), "timeout");
      timers.advance(2999);
      assertEquals(await raw.readFrame(100), "timeout");
      timers.advance(1);
      assertEquals(await raw.readFrame(3000), "eof");
      raw.close();
      const refused = log.filter((l) => l.includes("login refused"));
      assertEquals(refused.length, 1, log.join("\n"));
      assert(/PLAIN login refused: user 'guest' - invalid credentials/.test(refused[0]!));
      assert(!log.join("\n").includes("hunter2"), "the password is never logged");
    } finally {
      await b.close();
    }
  },
);

Deno.test(
  "a refused login with authentication_failure_close gets 403 at once, without the reason",
  opts,
  async () => {
    const timers = new FakeTimers();
    const b = await startBroker({ port: 0, timers });
    try {
      b.core.users.putUser({ name: "ann", password: "pw" });
      const raw = await RawClient.connect("127.0.0.1", b.port);
      await startOk(raw, "ann", "", { authentication_failure_close: true });
      const close = decodeClose(await raw.expectMethod(10, 50));
      assertEquals(close.code, 403);
      assertEquals(
        close.text,
        "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.",
      );
      raw.close();
    } finally {
      await b.close();
    }
  },
);

Deno.test(
  "connection.open past --max-connections is refused with RabbitMQ's 530 node limit",
  opts,
  async () => {
    const b = await startBroker({ port: 0, maxConnections: 1 });
    try {
      const first = await RawClient.connect("127.0.0.1", b.port);
      await first.handshake();
      const refused = await refusedHandshake("127.0.0.1", b.port);
      assert(
        refused.includes(
          `"code":530,"text":"NOT_ALLOWED - connection refused: node connection limit (1) is reached"`,
        ),
        refused,
      );
      first.close();
    } finally {
      await b.close();
    }
  },
);
