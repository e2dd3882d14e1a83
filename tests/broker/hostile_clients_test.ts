/**
 * The broker against hostile clients (issue 13): after each attack the broker
 * process is alive, a well-behaved client round-trips a message within 1 s,
 * and no confirmed message is lost. Attacks that could take the process down
 * (descriptor exhaustion, a heap filled by tiny frames) run against a
 * subprocess broker; the rest in-process.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startBroker } from "../../src/broker/server.ts";
import { openClient } from "./support/amqplib.ts";
import { Buffer } from "./support/amqplib.ts";
import { roundTripWithin, spawnBroker } from "./support/broker_process.ts";
import { RawClient } from "./support/raw_client.ts";
import { waitFor, withTimeout } from "./support/timing.ts";
import {
  concat,
  frame,
  FRAME_BODY,
  headerFrame,
  methodFrame,
  publishFrame,
  Writer,
} from "./support/wire.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** Opens `n` idle TCP connections (the kernel completes them even when the broker cannot accept). */
async function openSockets(port: number, n: number): Promise<Deno.TcpConn[]> {
  const socks: Deno.TcpConn[] = [];
  for (let i = 0; i < n; i++) socks.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  return socks;
}

function closeAll(socks: Deno.TcpConn[]): void {
  for (const s of socks) {
    try {
      s.close();
    } catch {
      // the broker closed it first
    }
  }
}

Deno.test(
  "after running out of file descriptors (EMFILE) the broker accepts again once they are free",
  opts,
  async () => {
    // --max-connections above what `ulimit -n 64` allows: accept() itself fails.
    const b = await spawnBroker(["--max-connections", "1000"], { fileLimit: 64 });
    try {
      const socks = await openSockets(b.port, 100);
      await waitFor(() => /EMFILE/.test(b.stderr), "the broker to log EMFILE", 10_000);
      closeAll(socks);
      await roundTripWithin(b.url);
      assert(b.alive, "the broker process is alive");
      // One line per episode, not one per failed accept.
      assertEquals(b.stderr.match(/EMFILE/g)?.length, 1, b.stderr);
      await roundTripWithin(b.url);
    } finally {
      await b.stop();
    }
  },
);

Deno.test(
  "connections past the maximum from `ulimit -n` are refused before descriptors run out",
  opts,
  async () => {
    const b = await spawnBroker([], { fileLimit: 64 });
    try {
      // The start-up line says which limit applies and how to raise it.
      assert(
        /connection limit: 32 \(ulimit -n 64, .*to raise it: 'ulimit -n N'/.test(b.stdout),
        b.stdout,
      );
      const socks = await openSockets(b.port, 60);
      await waitFor(() => /refusing connections: 32 open/.test(b.stderr), "a refusal", 10_000);
      // Refused sockets are closed at once: the 33rd reads EOF.
      const buf = new Uint8Array(16);
      const eof = await withTimeout(socks[40]!.read(buf), 5000, "EOF on a refused socket");
      assertEquals(eof, null);
      closeAll(socks);
      // The broker counts the closed sockets out as their EOFs reach it: a
      // well-behaved client is let in again within a second.
      await waitFor(
        () => roundTripWithin(b.url).then(() => true, () => false),
        "a round trip once the sockets are closed",
        1000,
      );
      assert(!/EMFILE/.test(b.stderr), b.stderr);
      assert(b.alive);
    } finally {
      await b.stop();
    }
  },
);

/** Header, channel 1, confirm.select and a queue, by hand. */
async function rawPublisher(port: number, queue: string): Promise<RawClient> {
  const raw = await RawClient.connect("127.0.0.1", port);
  await raw.handshake({ tune: { heartbeat: 0 } });
  await raw.openChannel(1);
  await raw.write(methodFrame(1, 85, 10, new Writer().bit(false).done()));
  await raw.expectMethod(85, 11);
  await raw.write(methodFrame(
    1,
    50,
    10,
    new Writer().short(0).shortstr(queue).bit(false).bit(false).bit(false).bit(false).bit(false)
      .table({}).done(),
  ));
  await raw.expectMethod(50, 11);
  return raw;
}

Deno.test(
  "a message sent in 1-byte body frames completes in a small heap and the broker stays up",
  opts,
  async () => {
    // 2 MB in 2 097 152 frames: one object per frame kept until the end
    // overflows a 96 MB heap; one growing buffer does not.
    const size = 2 * 1024 * 1024;
    const b = await spawnBroker([], { heapMb: 96 });
    const queue = `tiny-frames-${crypto.randomUUID()}`;
    try {
      const raw = await rawPublisher(b.port, queue);
      const one = frame(FRAME_BODY, 1, new Uint8Array(1));
      const bytes = new Uint8Array(size * one.length);
      for (let i = 0; i < size; i++) {
        one[7] = i & 0xff;
        bytes.set(one, i * one.length);
      }
      await raw.write(concat(publishFrame(1, "", queue), headerFrame(1, 60, size)));
      await raw.write(bytes);
      // Confirmed (basic.ack), so it must not be lost.
      await raw.expectMethod(60, 80, 30_000);
      assert(b.alive, `the broker died: ${b.stderr}`);
      await roundTripWithin(b.url);
      const c = await openClient(b.url, {});
      try {
        const got = await (await c.channel()).get(queue, { noAck: true });
        assert(got, "the confirmed message is in its queue");
        assertEquals(got.content.length, size);
        assert(got.content.every((v, i) => v === (i & 0xff)), "the body is intact");
      } finally {
        await c.close();
      }
      raw.close();
    } finally {
      await b.stop();
    }
  },
);

Deno.test(
  "a body still incomplete after the body timeout closes the connection with a clear 530",
  opts,
  async () => {
    const b = await startBroker({ port: 0, bodyTimeoutMs: 300 });
    try {
      const raw = await rawPublisher(b.port, "incomplete");
      await raw.write(concat(
        publishFrame(1, "", "incomplete"),
        headerFrame(1, 60, 1024 * 1024),
        frame(FRAME_BODY, 1, new Uint8Array(10)),
      ));
      // The body in progress counts in the memory alarm.
      await waitFor(() => b.core.memory.used > 0, "the partial body in the memory figure");
      const end = await raw.waitClosed(5000);
      assert(end.eof, "the connection is closed");
      assertEquals(end.close?.code, 530);
      assert(
        /channel 1 still incomplete 0\.3 s after its header \(10 of 1048576 bytes/.test(
          end.close!.text,
        ),
        end.close?.text,
      );
      assertEquals(b.core.memory.used, 0, "the partial body's memory is released");
      await roundTripWithin(b.url);
    } finally {
      await b.close();
    }
  },
);

Deno.test(
  "a consumer that stops reading is closed after the write timeout and its deliveries go to the others",
  opts,
  async () => {
    const log: string[] = [];
    const b = await startBroker({ port: 0, writeTimeoutMs: 500, log: (l) => log.push(l) });
    const queue = "stalled";
    const n = 2000;
    const body = new Uint8Array(8 * 1024);
    try {
      const setup = await openClient(b.url, {});
      const pub = await setup.confirmChannel();
      await pub.assertQueue(queue);

      // The stalled reader: consumes with a high prefetch, then never reads its socket.
      const stalled = await RawClient.connect("127.0.0.1", b.port);
      await stalled.handshake({ tune: { heartbeat: 0 } });
      await stalled.openChannel(1);
      await stalled.write(
        methodFrame(1, 60, 10, new Writer().long(0).short(10_000).bit(false).done()),
      );
      await stalled.expectMethod(60, 11);
      await stalled.write(methodFrame(
        1,
        60,
        20,
        new Writer().short(0).shortstr(queue).shortstr("stalled").bit(false).bit(false)
          .bit(false).bit(false).table({}).done(),
      ));
      await stalled.expectMethod(60, 21);

      // A healthy consumer beside it.
      const healthy = await openClient(b.url, {});
      const hch = await healthy.channel();
      await hch.prefetch(100);
      const seen = new Set<number>();
      await hch.consume(queue, (m) => {
        if (!m) return;
        seen.add(m.content.readUInt32BE(0));
        hch.ack(m);
      });

      for (let i = 0; i < n; i++) {
        new DataView(body.buffer).setUint32(0, i);
        pub.sendToQueue(queue, Buffer.from(body));
      }
      await withTimeout(pub.waitForConfirms(), 20_000, "confirms");

      // Every confirmed message reaches the healthy consumer: the stalled
      // connection's deliveries come back when the write timeout closes it.
      await waitFor(() => seen.size === n, `all ${n} messages at the healthy consumer`, 20_000);
      assert(log.some((l) => /client stopped reading/.test(l)), log.join("\n"));
      await roundTripWithin(b.url);
      stalled.close();
      await healthy.close();
      await setup.close();
    } finally {
      await b.close();
    }
  },
);
