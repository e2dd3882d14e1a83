/**
 * Conformance: heartbeats and the handshake timeout, with a raw socket so the
 * timing is ours, not a client library's. Kept in its own file because it
 * waits on real time (about 18 s per target), so `deno test --parallel` can
 * overlap it with the other conformance files.
 */
import assert from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";
import { sleep } from "./support/timing.ts";
import { frame, FRAME_HEARTBEAT, PROTOCOL_HEADER } from "./support/wire.ts";
import { type RawClient } from "./support/raw_client.ts";

const heartbeat = () => frame(FRAME_HEARTBEAT, 0, new Uint8Array(0));

/** Collects frame arrival times (ms) for `ms`, optionally sending heartbeats. */
async function watch(raw: RawClient, ms: number, sendEveryMs?: number) {
  const start = Date.now();
  const heartbeats: number[] = [];
  const others: number[] = [];
  let stop = false;
  const sender = (async () => {
    while (sendEveryMs && !stop) {
      await raw.write(heartbeat());
      await sleep(sendEveryMs);
    }
  })();
  let end: "eof" | "timeout" = "timeout";
  for (;;) {
    const left = start + ms - Date.now();
    if (left <= 0) break;
    const f = await raw.readFrame(left);
    if (f === "eof") {
      end = "eof";
      break;
    }
    if (f === "timeout") break;
    if (f.type === FRAME_HEARTBEAT && f.channel === 0 && f.payload.length === 0) {
      heartbeats.push(Date.now() - start);
    } else others.push(f.type);
  }
  stop = true;
  await sender;
  return { heartbeats, others, end, elapsed: Date.now() - start };
}

forEachBroker(
  "the server sends heartbeats at the negotiated interval and keeps a live client",
  async (t) => {
    const raw = await t.raw();
    const hs = await raw.handshake({ tune: { heartbeat: 1 } });
    assert.equal(hs.tune.heartbeat, 60);
    const seen = await watch(raw, 2500, 300);
    assert.equal(seen.end, "timeout", "a client that sends heartbeats is not disconnected");
    assert.ok(seen.heartbeats.length >= 2, `heartbeats at ${seen.heartbeats}`);
    assert.deepEqual(seen.others, []);
    await raw.openChannel(1); // still usable
  },
);

forEachBroker("a client that misses heartbeats is disconnected", async (t) => {
  const raw = await t.raw();
  await raw.handshake({ tune: { heartbeat: 1 } });
  const seen = await watch(raw, 6000);
  assert.equal(seen.end, "eof", "disconnected within 6 s");
  assert.ok(seen.elapsed >= 1500, `not before two intervals (closed after ${seen.elapsed} ms)`);
}, { timeoutMs: 10_000 });

forEachBroker("heartbeat 0 in tune-ok turns heartbeats off", async (t) => {
  const raw = await t.raw();
  await raw.handshake({ tune: { heartbeat: 0 } });
  const seen = await watch(raw, 1500);
  assert.equal(seen.end, "timeout");
  assert.deepEqual(seen.heartbeats, []);
});

forEachBroker(
  "a connection that does not finish the handshake is closed after about 10 s",
  async (t) => {
    const silent = await t.raw();
    const headerOnly = await t.raw();
    await headerOnly.write(PROTOCOL_HEADER);
    const start = Date.now();
    const [a, b] = await Promise.all([silent.waitClosed(14_000), headerOnly.waitClosed(14_000)]);
    const elapsed = Date.now() - start;
    assert.equal(a.eof, true, "silent socket closed");
    assert.equal(b.eof, true, "socket stuck after the header closed");
    assert.ok(elapsed >= 8000, `not much before 10 s (closed after ${elapsed} ms)`);
  },
  { timeoutMs: 20_000 },
);
