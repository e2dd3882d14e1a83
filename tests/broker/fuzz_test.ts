/**
 * Bounded wire fuzzing: random bytes after the protocol header, corrupted
 * valid frames, huge declared sizes and truncation. Every such connection
 * must be closed by the server (EOF within a timeout, maybe after a
 * connection.close), and the broker must keep serving everyone else.
 *
 * Cases come from fast-check with a fixed seed, so a failure is
 * reproducible; they run concurrently in batches because a correct server
 * may legitimately take a few seconds to drop a connection (missed
 * heartbeats, RabbitMQ's close-ok wait).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { forEachBroker } from "./support/targets.ts";
import { Buffer } from "./support/amqplib.ts";
import { drain } from "./support/messages.ts";
import {
  concat,
  frame,
  FRAME_BODY,
  headerFrame,
  methodFrame,
  PROTOCOL_HEADER,
  Writer,
} from "./support/wire.ts";
import { type RawClient } from "./support/raw_client.ts";

const SEED = 0x5eed_4;
const CASES = 200;
const BATCH = 100;
/** Heartbeats every second, so a connection left waiting is dropped in ~3 s. */
const HEARTBEAT = 1;
const CLOSE_TIMEOUT_MS = 12_000;

/** A valid conversation after the handshake: channel, declare, publish. */
function validFrames(): Uint8Array[] {
  return [
    methodFrame(1, 20, 10, new Writer().shortstr("").done()),
    methodFrame(
      1,
      50,
      10,
      new Writer().short(0).shortstr("").bit(false).bit(false).bit(true).bit(true).bit(false)
        .table({ "x-message-ttl": 1000 }).done(),
    ),
    methodFrame(1, 60, 40, new Writer().short(0).shortstr("amq.direct").shortstr("k").done()),
    headerFrame(1, 60, 5),
    frame(FRAME_BODY, 1, new TextEncoder().encode("hello")),
  ];
}

type FuzzCase =
  | { kind: "garbage"; bytes: Uint8Array }
  | { kind: "flip"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "huge"; size: number; type: number }
  | { kind: "badEnd"; frame: number; value: number }
  | { kind: "randomFrame"; type: number; channel: number; payload: Uint8Array };

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc.record({
    kind: fc.constant("garbage" as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 96 }),
  }),
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("huge" as const),
    size: fc.integer({ min: 131_073, max: 0xffff_ffff }),
    type: fc.constantFrom(1, 2, 3, 8),
  }),
  fc.record({
    kind: fc.constant("badEnd" as const),
    frame: fc.nat(),
    value: fc.integer({ min: 0, max: 0xcd }),
  }),
  fc.record({
    kind: fc.constant("randomFrame" as const),
    type: fc.integer({ min: 0, max: 255 }),
    channel: fc.integer({ min: 0, max: 0xffff }),
    payload: fc.uint8Array({ maxLength: 64 }),
  }),
);

/** What to write for a case; `handshake` says whether to log in first. */
function bytesFor(c: FuzzCase): { handshake: boolean; bytes: Uint8Array } {
  const valid = validFrames();
  const all = concat(...valid);
  switch (c.kind) {
    case "garbage":
      return { handshake: false, bytes: concat(PROTOCOL_HEADER, completeFrame(c.bytes)) };
    case "flip": {
      const bytes = all.slice();
      const at = c.at % bytes.length;
      bytes[at] = bytes[at] === c.value ? c.value ^ 0xff : c.value;
      return { handshake: true, bytes };
    }
    case "truncate":
      return { handshake: true, bytes: all.subarray(0, c.at % all.length) };
    case "huge": {
      const head = new Uint8Array(7);
      const view = new DataView(head.buffer);
      view.setUint8(0, c.type);
      view.setUint16(1, 1);
      view.setUint32(3, c.size);
      return { handshake: true, bytes: concat(valid[0]!, head, new Uint8Array(64)) };
    }
    case "badEnd": {
      const frames = valid.map((f) => f.slice());
      const f = frames[c.frame % frames.length]!;
      f[f.length - 1] = c.value;
      return { handshake: true, bytes: concat(...frames) };
    }
    case "randomFrame":
      return {
        handshake: true,
        bytes: concat(valid[0]!, frame(c.type, c.channel, c.payload)),
      };
  }
}

/**
 * Pads random bytes so that the first frame they declare is complete (when
 * its size is small): the server then has to judge it now instead of
 * waiting for the 10 s handshake timeout. Large declared sizes stay as they
 * are; the server must refuse those from the header alone.
 */
function completeFrame(bytes: Uint8Array): Uint8Array {
  const head = bytes.length >= 7 ? bytes : concat(bytes, new Uint8Array(7 - bytes.length));
  const size = new DataView(head.buffer, head.byteOffset).getUint32(3);
  if (size > 4096 || head.length >= size + 8) return head;
  return concat(head, new Uint8Array(size + 8 - head.length));
}

interface Outcome {
  label: string;
  eof: boolean;
  closeCode?: number;
}

async function runCase(raw: RawClient, c: FuzzCase): Promise<Outcome & { ms: number }> {
  const start = Date.now();
  const label = JSON.stringify(
    c,
    (_, v) => v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v,
  );
  const { handshake, bytes } = bytesFor(c);
  if (handshake) await raw.handshake({ tune: { heartbeat: HEARTBEAT } });
  await raw.write(bytes);
  // Never send heartbeats: a server left waiting must time the client out.
  const end = await raw.waitClosed(CLOSE_TIMEOUT_MS);
  raw.close();
  return { label, eof: end.eof, closeCode: end.close?.code, ms: Date.now() - start };
}

forEachBroker(
  "fuzzed frames close only the offending connection; the broker keeps serving",
  async (t) => {
    const cases = fc.sample(fuzzCase, { seed: SEED, numRuns: CASES });
    // A bystander connection that must survive the whole run.
    const bystander = await t.open();
    const bch = await bystander.channel();
    const q = t.queue("bystander");
    await bch.assertQueue(q);

    const failures: string[] = [];
    const codes = new Map<number | "none", number>();
    for (let i = 0; i < cases.length; i += BATCH) {
      const batch = cases.slice(i, i + BATCH);
      const outcomes = await Promise.all(batch.map(async (c) => runCase(await t.raw(), c)));
      for (const o of outcomes) {
        const key = o.closeCode ?? "none";
        codes.set(key, (codes.get(key) ?? 0) + 1);
        if (o.ms > 5000) console.log("slow", o.ms, o.closeCode, o.label);
        if (!o.eof) failures.push(`not closed: ${o.label}`);
        else if (o.closeCode !== undefined && o.closeCode < 300) {
          failures.push(`closed with non-error code ${o.closeCode}: ${o.label}`);
        }
      }
    }
    assert.deepEqual(
      failures.slice(0, 10),
      [],
      `${failures.length} of ${cases.length} cases failed`,
    );

    // The bystander and a fresh connection still work.
    bch.sendToQueue(q, Buffer.from("still here"));
    const fresh = await t.open();
    const fch = await fresh.channel();
    const got = await (async () => {
      for (let n = 0; n < 100; n++) {
        const m = await drain(fch, q);
        if (m.length > 0) return m;
        await new Promise((r) => setTimeout(r, 10));
      }
      return [];
    })();
    assert.deepEqual(got.map((m) => m.content.toString()), ["still here"]);
    assert.equal(bystander.errors.length, 0);
    // How the server ended the connections, for the log.
    console.log(`[${t.target}] close codes:`, Object.fromEntries(codes));
  },
  { timeoutMs: 40_000 },
);
