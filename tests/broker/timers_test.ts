/**
 * The connection's timers run on the broker's injectable timers: the
 * handshake timeout and the heartbeat timeout are driven here on a fake
 * clock, with no real waiting. With real timers these would not fire when
 * the fake clock advances, and the assertions right after `advance()` fail.
 */
import { equal, ok } from "node:assert/strict";
import { encodeMethodFrame, type Frame, FrameParser, PROTOCOL_HEADER } from "../../src/amqp/mod.ts";
import { type RunningBroker, startBroker } from "../../src/broker/server.ts";
import { FakeTimers } from "./support/fake_timers.ts";

/** A bare TCP client that reads whole frames. */
class RawClient {
  #parser = new FrameParser({ frameMax: 0 });
  constructor(readonly conn: Deno.TcpConn) {}

  static async connect(broker: RunningBroker): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port: broker.port }));
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.conn.write(bytes);
  }

  async next(): Promise<Frame | "eof"> {
    for (;;) {
      const f = this.#parser.next();
      if (f) return f;
      const buf = new Uint8Array(65536);
      let n: number | null;
      try {
        n = await this.conn.read(buf);
      } catch {
        n = null; // reset by the broker
      }
      if (n === null) return "eof";
      this.#parser.push(buf.subarray(0, n));
    }
  }

  async expectMethod(name: string): Promise<void> {
    const f = await this.next();
    equal(f !== "eof" && f.type === "method" ? f.method.name : f, name);
  }
}

async function withFakeBroker(
  fn: (broker: RunningBroker, timers: FakeTimers, client: RawClient) => Promise<void>,
): Promise<void> {
  const timers = new FakeTimers();
  const broker = await startBroker({ port: 0, timers, handshakeTimeoutMs: 10_000 });
  const client = await RawClient.connect(broker);
  try {
    await fn(broker, timers, client);
  } finally {
    client.conn.close();
    await broker.close();
  }
}

Deno.test("a connection that does not finish the handshake is dropped at the handshake timeout (fake clock)", async () => {
  await withFakeBroker(async (broker, timers, client) => {
    await client.write(PROTOCOL_HEADER);
    await client.expectMethod("connection.start");
    timers.advance(9_999);
    equal(broker.core.connections.size, 1, "still there before the timeout");
    timers.advance(1);
    equal(broker.core.connections.size, 0, "dropped at the timeout");
    equal(await client.next(), "eof");
  });
});

Deno.test("a client that sends no heartbeats is dropped after two intervals, and gets heartbeats meanwhile (fake clock)", async () => {
  await withFakeBroker(async (broker, timers, client) => {
    await client.write(PROTOCOL_HEADER);
    await client.expectMethod("connection.start");
    await client.write(encodeMethodFrame(0, "connection.start-ok", {
      clientProperties: {},
      mechanism: "PLAIN",
      response: "\u0000guest\u0000guest",
      locale: "en_US",
    }));
    await client.expectMethod("connection.tune");
    await client.write(
      encodeMethodFrame(0, "connection.tune-ok", { channelMax: 2047, frameMax: 0, heartbeat: 1 }),
    );
    await client.write(encodeMethodFrame(0, "connection.open", { virtualHost: "/" }));
    await client.expectMethod("connection.open-ok");
    // Half an interval without writing: the broker sends a heartbeat.
    timers.advance(500);
    const hb = await client.next();
    ok(hb !== "eof" && hb.type === "heartbeat", `a heartbeat frame, got ${JSON.stringify(hb)}`);
    // Silent client: alive at two intervals, gone after the next check.
    timers.advance(1_500);
    equal(broker.core.connections.size, 1, "not before two intervals");
    timers.advance(500);
    equal(broker.core.connections.size, 0, "dropped after two missed intervals");
  });
});
