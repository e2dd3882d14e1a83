/**
 * The embedded broker over TCP, driven by amqplib and by raw frames (encoded
 * with src/amqp). The cross-broker conformance suite lives in
 * conformance_*_test.ts; these tests cover the server's own mechanics: the
 * handshake, closing, heartbeats, timeouts and backpressure (the CLI is
 * cli_test.ts).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="@types/amqplib"
import amqp from "amqplib";
import {
  encodeBodyFrames,
  encodeHeaderFrame,
  encodeMethodFrame,
  type Frame,
  FrameParser,
  PROTOCOL_HEADER,
} from "../../src/amqp/mod.ts";
import { type BrokerOptions, type RunningBroker, startBroker } from "../../src/broker/server.ts";
import { sleep, waitFor } from "./support/timing.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
/** How long a waitFor() here polls before it fails. */
const WAIT_MS = 5000;

async function withBroker(
  fn: (b: RunningBroker) => Promise<void>,
  options: BrokerOptions = {},
): Promise<void> {
  const b = await startBroker({ port: 0, ...options });
  try {
    await fn(b);
  } finally {
    await b.close();
  }
}

/** A raw client speaking frames encoded by src/amqp. */
class Raw {
  #parser = new FrameParser({ frameMax: 0 });
  #frames: (Frame | "eof")[] = [];
  #waiters: (() => void)[] = [];
  bytes: Uint8Array[] = [];
  /** While set, nothing is read from the socket (the kernel buffers fill up). */
  paused: Promise<void> | undefined;
  constructor(readonly conn: Deno.TcpConn) {
    (async () => {
      const buf = new Uint8Array(65536);
      try {
        for (;;) {
          if (this.paused) await this.paused;
          const n = await conn.read(buf);
          if (n === null) break;
          const chunk = buf.slice(0, n);
          this.bytes.push(chunk);
          this.#parser.push(chunk);
          try {
            for (let f = this.#parser.next(); f; f = this.#parser.next()) this.#frames.push(f);
          } catch { /* not frames (e.g. a protocol header): keep raw bytes */ }
          this.#wake();
        }
      } catch { /* reset */ }
      this.#frames.push("eof");
      this.#wake();
    })();
  }
  static async connect(port: number): Promise<Raw> {
    return new Raw(await Deno.connect({ hostname: "127.0.0.1", port }));
  }
  #wake() {
    for (const w of this.#waiters.splice(0)) w();
  }
  async write(b: Uint8Array) {
    try {
      await this.conn.write(b);
    } catch { /* closed */ }
  }
  async next(timeoutMs = 3000): Promise<Frame | "eof" | "timeout"> {
    const deadline = Date.now() + timeoutMs;
    while (this.#frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return "timeout";
      await Promise.race([new Promise<void>((r) => this.#waiters.push(r)), sleep(left)]);
    }
    const f = this.#frames[0]!;
    if (f !== "eof") this.#frames.shift();
    return f;
  }
  async method(name: string): Promise<Record<string, unknown>> {
    for (;;) {
      const f = await this.next();
      if (typeof f === "string") throw new Error(`expected ${name}, got ${f}`);
      if (f.type !== "method") continue;
      if (f.method.name !== name) {
        throw new Error(`expected ${name}, got ${f.method.name} ${JSON.stringify(f.method.args)}`);
      }
      return f.method.args;
    }
  }
  async handshake(heartbeat = 0) {
    await this.write(PROTOCOL_HEADER);
    await this.method("connection.start");
    await this.write(encodeMethodFrame(0, "connection.start-ok", {
      clientProperties: { capabilities: { authentication_failure_close: true } },
      mechanism: "PLAIN",
      response: "\u0000guest\u0000guest",
      locale: "en_US",
    }));
    const tune = await this.method("connection.tune");
    await this.write(encodeMethodFrame(0, "connection.tune-ok", { ...tune, heartbeat }));
    await this.write(encodeMethodFrame(0, "connection.open", { virtualHost: "/" }));
    await this.method("connection.open-ok");
    return tune;
  }
  close() {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

Deno.test(
  "startBroker() serves amqplib: publish, consume round-robin with prefetch, ack",
  opts,
  async () => {
    await withBroker(async (b) => {
      assert(/^amqp:\/\/guest:guest@127\.0\.0\.1:\d+$/.test(b.url));
      const conn = await amqp.connect(b.url);
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue("", { exclusive: true });
      const c1 = await conn.createChannel(), c2 = await conn.createChannel();
      await c1.prefetch(1);
      await c2.prefetch(1);
      const got: string[][] = [[], []];
      const held: amqp.ConsumeMessage[] = [];
      await c1.consume(queue, (m) => m && (got[0]!.push(m.content.toString()), held.push(m)));
      await c2.consume(queue, (m) => m && (got[1]!.push(m.content.toString()), held.push(m)));
      for (let i = 0; i < 4; i++) ch.sendToQueue(queue, Buffer.from(String(i)));
      await waitFor(() => got.flat().length === 2, "two deliveries", WAIT_MS);
      await sleep(50);
      // prefetch 1 each: one message each, the rest wait in the queue
      assertEquals(got.flat().length, 2);
      assertEquals((await ch.checkQueue(queue)).messageCount, 2);
      c1.ack(held.find((m) => got[0]!.includes(m.content.toString()))!);
      await waitFor(() => got[0]!.length === 2, "a delivery after the ack", WAIT_MS);
      assertEquals(got.flat().length, 3);
      await conn.close();
    });
  },
);

Deno.test(
  "Closing a channel requeues its unacked messages in order, marked redelivered",
  opts,
  async () => {
    await withBroker(async (b) => {
      const conn = await amqp.connect(b.url);
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue("", { exclusive: true });
      for (const s of ["a", "b", "c"]) ch.sendToQueue(queue, Buffer.from(s));
      const sub = await conn.createChannel();
      let n = 0;
      await sub.consume(queue, () => void n++);
      while (n < 3) await sleep(10);
      await sub.close();
      const again: [string, boolean][] = [];
      for (let i = 0; i < 3; i++) {
        const m = await ch.get(queue, { noAck: true });
        if (m) again.push([m.content.toString(), m.fields.redelivered]);
      }
      assertEquals(again, [["a", true], ["b", true], ["c", true]]);
      await conn.close();
    });
  },
);

Deno.test(
  "Confirms ack routed and unroutable publishes, nack reject-publish, return mandatory 312",
  opts,
  async () => {
    await withBroker(async (b) => {
      const conn = await amqp.connect(b.url);
      const ch = await conn.createConfirmChannel();
      const { queue } = await ch.assertQueue("", {
        exclusive: true,
        arguments: { "x-max-length": 1, "x-overflow": "reject-publish" },
      });
      const returned: number[] = [];
      ch.on("return", (m) => returned.push(m.fields.replyCode));
      const outcome = (ex: string, key: string, mandatory = false) =>
        new Promise<string>((resolve) =>
          ch.publish(
            ex,
            key,
            Buffer.from("x"),
            { mandatory },
            (err) => resolve(err ? "nack" : "ack"),
          )
        );
      assertEquals(await outcome("", queue), "ack");
      assertEquals(await outcome("", queue), "nack");
      assertEquals(await outcome("amq.direct", "nowhere", true), "ack");
      assertEquals(returned, [312]);
      await conn.close();
    });
  },
);

Deno.test("Transactions publish on commit and forget on rollback", opts, async () => {
  await withBroker(async (b) => {
    const raw = await Raw.connect(b.port);
    await raw.handshake();
    await raw.write(encodeMethodFrame(1, "channel.open", {}));
    await raw.method("channel.open-ok");
    await raw.write(encodeMethodFrame(1, "queue.declare", { queue: "txq" }));
    await raw.method("queue.declare-ok");
    await raw.write(encodeMethodFrame(1, "tx.select", {}));
    await raw.method("tx.select-ok");
    const publish = async (body: string) => {
      const bytes = new TextEncoder().encode(body);
      await raw.write(encodeMethodFrame(1, "basic.publish", { exchange: "", routingKey: "txq" }));
      await raw.write(encodeHeaderFrame(1, 60, bytes.length, {}));
      await raw.write(encodeBodyFrames(1, bytes, 131072)[0]!);
    };
    const q = b.core.vhosts.get("/")!.queues.get("txq")!;
    await publish("dropped");
    await raw.write(encodeMethodFrame(1, "tx.rollback", {}));
    await raw.method("tx.rollback-ok");
    assertEquals(q.messageCount, 0);
    await publish("kept");
    assertEquals(q.messageCount, 0);
    await raw.write(encodeMethodFrame(1, "tx.commit", {}));
    await raw.method("tx.commit-ok");
    assertEquals(q.messageCount, 1);
    raw.close();
  });
});

Deno.test("Deleting a queue sends basic.cancel to its consumers", opts, async () => {
  await withBroker(async (b) => {
    const conn = await amqp.connect(b.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue("", { exclusive: true });
    let cancelled = false;
    await ch.consume(queue, (m) => {
      if (m === null) cancelled = true;
    });
    await ch.deleteQueue(queue);
    await waitFor(() => cancelled, "basic.cancel", WAIT_MS);
    await conn.close();
  });
});

Deno.test(
  "A wrong protocol header gets AMQP 0-9-1's header back, then the socket closes",
  opts,
  async () => {
    await withBroker(async (b) => {
      const raw = await Raw.connect(b.port);
      await raw.write(new TextEncoder().encode("HTTP/1.1"));
      while ((await raw.next()) !== "eof");
      assertEquals([...raw.bytes.flatMap((c) => [...c])], [...PROTOCOL_HEADER]);
      raw.close();
    });
  },
);

Deno.test("Bad credentials get 403 and an unknown vhost 530", opts, async () => {
  await withBroker(async (b) => {
    const port = b.port;
    const err = await amqp.connect(`amqp://guest:nope@127.0.0.1:${port}`).catch((e) => e);
    assert(/403/.test(String(err.message)), err.message);
    const err2 = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}/nope`).catch((e) => e);
    assert(err2 instanceof Error);
    const raw = await Raw.connect(port);
    await raw.write(PROTOCOL_HEADER);
    await raw.method("connection.start");
    await raw.write(encodeMethodFrame(0, "connection.start-ok", {
      clientProperties: {},
      mechanism: "PLAIN",
      response: "\u0000guest\u0000guest",
    }));
    const tune = await raw.method("connection.tune");
    assertEquals([tune.channelMax, tune.frameMax, tune.heartbeat], [2047, 131072, 60]);
    await raw.write(encodeMethodFrame(0, "connection.tune-ok", { ...tune, heartbeat: 0 }));
    await raw.write(encodeMethodFrame(0, "connection.open", { virtualHost: "nope" }));
    const close = await raw.method("connection.close");
    assertEquals(close.replyCode, 530);
    raw.close();
  });
});

Deno.test(
  "A frame out of order closes the connection with 505 and others keep working",
  opts,
  async () => {
    await withBroker(async (b) => {
      const other = await amqp.connect(b.url);
      const raw = await Raw.connect(b.port);
      await raw.handshake();
      await raw.write(encodeMethodFrame(1, "channel.open", {}));
      await raw.method("channel.open-ok");
      await raw.write(encodeHeaderFrame(1, 60, 3, {}));
      const close = await raw.method("connection.close");
      assertEquals(close.replyCode, 505);
      raw.close();
      const ch = await other.createChannel();
      await ch.checkExchange("amq.direct");
      await other.close();
    });
  },
);

Deno.test(
  "A message above the size limit is refused with 406 before its body is buffered",
  opts,
  async () => {
    await withBroker(async (b) => {
      const raw = await Raw.connect(b.port);
      await raw.handshake();
      await raw.write(encodeMethodFrame(1, "channel.open", {}));
      await raw.method("channel.open-ok");
      await raw.write(encodeMethodFrame(1, "basic.publish", { exchange: "", routingKey: "x" }));
      await raw.write(encodeHeaderFrame(1, 60, 128 * 1024 * 1024 + 1, {}));
      await raw.write(encodeBodyFrames(1, new Uint8Array(1000), 131072)[0]!);
      const close = await raw.method("channel.close");
      assertEquals(close.replyCode, 406);
      raw.close();
    });
  },
);

Deno.test("Missed client heartbeats and a stalled handshake close the socket", opts, async () => {
  await withBroker(async (b) => {
    const raw = await Raw.connect(b.port);
    await raw.handshake(1);
    const t0 = Date.now();
    let sawHeartbeat = false;
    for (;;) {
      const f = await raw.next(5000);
      if (f === "eof" || f === "timeout") break;
      if (f.type === "heartbeat") sawHeartbeat = true;
    }
    assert(sawHeartbeat);
    assert(Date.now() - t0 < 4500);
    raw.close();
    const idle = await Raw.connect(b.port);
    assertEquals(await idle.next(2000), "eof");
    idle.close();
  }, { handshakeTimeoutMs: 300 });
});

Deno.test("A consumer that does not read stops receiving until it drains", opts, async () => {
  await withBroker(async (b) => {
    const raw = await Raw.connect(b.port);
    await raw.handshake();
    await raw.write(encodeMethodFrame(1, "channel.open", {}));
    await raw.method("channel.open-ok");
    await raw.write(encodeMethodFrame(1, "queue.declare", { queue: "slow" }));
    await raw.method("queue.declare-ok");
    await raw.write(encodeMethodFrame(1, "basic.consume", { queue: "slow", noAck: true }));
    await raw.method("basic.consume-ok");
    let resume!: () => void;
    raw.paused = new Promise<void>((r) => resume = r);
    const pub = await amqp.connect(b.url);
    const ch = await pub.createChannel();
    const total = 400; // 25 MiB: far beyond socket buffers and the broker's high-water mark
    for (let i = 0; i < total; i++) ch.sendToQueue("slow", Buffer.alloc(64 * 1024));
    const q = b.core.vhosts.get("/")!.queues.get("slow")!;
    await waitFor(() => q.messageCount > total / 2, "the queue to hold messages back", WAIT_MS);
    raw.paused = undefined;
    resume();
    let delivered = 0;
    while (delivered < total) {
      const f = await raw.next(5000);
      if (typeof f === "string") break;
      if (f.type === "method" && f.method.name === "basic.deliver") delivered++;
    }
    assertEquals(delivered, total);
    assertEquals(q.messageCount, 0);
    await pub.close();
    raw.close();
  });
});

Deno.test("close() sends 320 CONNECTION_FORCED to connected clients", opts, async () => {
  const b = await startBroker({ port: 0 });
  const conn = await amqp.connect(b.url);
  // amqplib reports 320 as a 'close' with the error (not an 'error' event).
  const closed = new Promise<Error | undefined>((resolve) => conn.on("close", resolve));
  await b.close();
  const e = await closed;
  assert(/320 \(CONNECTION-FORCED\)/.test(String(e?.message)), String(e?.message));
});

Deno.test(
  "Above the memory watermark publishers get connection.blocked, then unblocked",
  opts,
  async () => {
    await withBroker(async (b) => {
      const conn = await amqp.connect(b.url);
      const events: string[] = [];
      conn.on("blocked", () => events.push("blocked"));
      conn.on("unblocked", () => events.push("unblocked"));
      const ch = await conn.createChannel();
      await ch.assertQueue("mem");
      for (let i = 0; i < 40; i++) ch.sendToQueue("mem", Buffer.alloc(64 * 1024));
      await waitFor(() => events.length > 0, "connection.blocked", WAIT_MS);
      assertEquals(events, ["blocked"]);
      assert(b.core.memory.alarm);
      // A consumer on another connection is still served and drains the queue.
      const other = await amqp.connect(b.url);
      const och = await other.createChannel();
      let got = 0;
      await och.consume("mem", () => void got++, { noAck: true });
      // The alarm may set again while the rest arrives faster than it is
      // delivered; it ends unblocked once everything is.
      await waitFor(
        () => got === 40 && events.at(-1) === "unblocked",
        "connection.unblocked and every delivery",
        WAIT_MS,
      );
      assert(events.every((e, i) => e === (i % 2 === 0 ? "blocked" : "unblocked")), String(events));
      assert(!b.core.memory.alarm);
      await other.close();
      await conn.close();
    }, {
      memoryHighWatermark: 1024 * 1024,
      // Count message bytes only: the test runner's memory is not the broker's.
      readMemoryUsage: () => 0,
    });
  },
);

Deno.test("A thousand concurrent connections each get a working channel", opts, async () => {
  await withBroker(async (b) => {
    const n = 1000;
    const conns = await Promise.all(Array.from({ length: n }, () => amqp.connect(b.url)));
    assertEquals(b.core.connections.size, n);
    const channels = await Promise.all(conns.map((c) => c.createChannel()));
    const declared = await Promise.all(
      channels.map((ch) => ch.assertQueue("", { exclusive: true })),
    );
    assertEquals(new Set(declared.map((d) => d.queue)).size, n);
    await Promise.all(conns.map((c) => c.close()));
    // Exclusive queues went with their connections.
    assertEquals(b.core.vhosts.get("/")!.queues.size, 0);
    while (b.core.connections.size > 0) await sleep(10);
  });
});
