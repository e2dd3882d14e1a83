/**
 * The durable store on its own (src/broker/store.ts): group commits, a
 * message removed before its batch goes never written, tickets (publisher
 * confirms) done only once written by the writer Worker or cancelled,
 * definitions, and the data dir errors: locked by another broker, a damaged file, not a store. Every
 * store lives in a fresh temp dir.
 */
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import type { QueuedMessage } from "../../../src/broker/message.ts";
import { Store } from "../../../src/broker/store.ts";
import { decodeProperties } from "../../../src/broker/store_codec.ts";
import { BatchEncoder, decodeBatch, type WriteOp } from "../../../src/broker/store_ops.ts";
import { STORE_FILE, StoreError } from "../../../src/broker/store_schema.ts";
import type { SyncTicket } from "../../../src/broker/publisher_confirms.ts";
import { sleep } from "../support/timing.ts";
import { FakeTimers } from "../support/fake_timers.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

function entry(body: string, props: Record<string, unknown> = { deliveryMode: 2 }): QueuedMessage {
  return {
    message: {
      exchange: "x",
      routingKey: "k",
      properties: props,
      body: new TextEncoder().encode(body),
    },
    seq: 0,
    expiresAt: Infinity,
    priority: 0,
    redelivered: false,
  };
}

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "warren-store-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function open(dir: string, timers = new FakeTimers()): Store {
  return new Store({ dir, timers, commitWindowMs: 5 });
}

/** A store with its writer running (the broker's state after recovery). */
async function started(dir: string, timers = new FakeTimers()): Promise<Store> {
  const s = open(dir, timers);
  await s.startWriter();
  return s;
}

/** What a store in `dir` holds, read by a fresh one (the way the broker starts). */
function storedBodies(dir: string): string[][] {
  const s = open(dir);
  try {
    return [...s.messages()].map((
      m,
    ) => [m.queue, new TextDecoder().decode(m.body), `${m.delivered}`]);
  } finally {
    void s.close();
  }
}

/** Settles when the ticket is done. */
function done(t: SyncTicket): Promise<void> {
  return new Promise((resolve) => t.onDone = resolve);
}

Deno.test(
  "store: a batch waits for its window, is written once synced, and reads back in queue order",
  opts,
  async () => {
    await withDir(async (dir) => {
      const timers = new FakeTimers();
      const s = await started(dir, timers);
      for (const b of ["a", "b", "c"]) s.addMessage("/", "q", entry(b));
      s.addMessage("/", "other", entry("z"));
      const ticket = s.takeTicket()!;
      assertEquals(ticket.open, 4);
      const written = done(ticket);
      await sleep(50);
      assertEquals(ticket.open, 4, "nothing goes before the window ends");
      timers.advance(5);
      await written;
      assertEquals(ticket.failed, false);
      await s.close();
      assertEquals(storedBodies(dir), [["other", "z", "0"], ["q", "a", "0"], ["q", "b", "0"], [
        "q",
        "c",
        "0",
      ]]);
    });
  },
);

Deno.test(
  "store: a message removed before its batch goes is never written and its ticket is done at once",
  opts,
  async () => {
    await withDir(async (dir) => {
      const s = await started(dir);
      const e = entry("gone");
      s.addMessage("/", "q", e);
      const ticket = s.takeTicket()!;
      let calls = 0;
      ticket.onDone = () => calls++;
      s.removeMessage(e.storeId!);
      assertEquals([ticket.open, calls], [0, 1]);
      await s.close();
      assertEquals(storedBodies(dir), []);
    });
  },
);

Deno.test(
  "store: deliveries and acks after the write are recorded; a queue's messages go with it",
  opts,
  async () => {
    await withDir(async (dir) => {
      const s = await started(dir);
      const kept = [entry("1"), entry("2"), entry("3")];
      for (const e of kept) s.addMessage("/", "q", e);
      s.addMessage("/", "doomed", entry("x"));
      await s.flush();
      s.markDelivered(kept[0]!);
      s.removeMessage(kept[1]!.storeId!);
      s.dropQueue("/", "doomed");
      await s.close();
      assertEquals(storedBodies(dir), [["q", "1", "1"], ["q", "3", "0"]]);
    });
  },
);

Deno.test("store: a full batch goes at once, without waiting for its window", opts, async () => {
  await withDir(async (dir) => {
    const s = await started(dir); // its fake clock never moves
    for (let i = 0; i < 1000; i++) s.addMessage("/", "q", entry(`m${i}`));
    await done(s.takeTicket()!);
    await s.close();
    assertEquals(storedBodies(dir).length, 1000);
  });
});

Deno.test("store: definitions are saved, replaced, deleted and loaded by kind", opts, async () => {
  await withDir(async (dir) => {
    const s = await started(dir);
    s.saveDefinition("user", "ann", { tags: ["management"] });
    s.saveDefinition("user", "bob", { tags: [] });
    s.saveDefinition("vhost", "/lab", { name: "/lab" });
    s.saveDefinition("user", "bob", { tags: ["administrator"] });
    s.deleteDefinition("user", "ann");
    await s.close();
    const again = open(dir);
    assertEquals(again.loadDefinitions("user"), [{
      key: "bob",
      value: { tags: ["administrator"] },
    }]);
    assertEquals(again.loadDefinitions("vhost"), [{ key: "/lab", value: { name: "/lab" } }]);
    await again.close();
  });
});

Deno.test(
  "store: a second store on a dir in use fails at once, naming the file",
  opts,
  async () => {
    await withDir(async (dir) => {
      const first = await started(dir);
      try {
        throws(() => open(dir), (e: Error) => {
          assert(e instanceof StoreError, String(e));
          assert(e.message.includes(`${dir}/${STORE_FILE} is in use by another broker`), e.message);
          return true;
        });
      } finally {
        await first.close();
      }
      await open(dir).close(); // free again once the first one closed
    });
  },
);

Deno.test("store: a damaged file is refused with its name and left untouched", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/${STORE_FILE}`;
    const junk = crypto.getRandomValues(new Uint8Array(8192));
    await Deno.writeFile(file, junk);
    throws(() => open(dir), (e: Error) => {
      assert(e instanceof StoreError);
      assert(e.message.startsWith(`${file} is not a warren broker store or is damaged`), e.message);
      return true;
    });
    assertEquals(await Deno.readFile(file), junk);
    assertEquals([...Deno.readDirSync(dir)].map((f) => f.name), [STORE_FILE]);
  });
});

Deno.test("store: another program's SQLite database is refused, not changed", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/${STORE_FILE}`;
    const { DatabaseSync } = await import("node:sqlite");
    const other = new DatabaseSync(file);
    other.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')");
    other.close();
    const before = await Deno.readFile(file);
    throws(() => open(dir), /is not a warren broker store \(tables: notes\)/);
    assertEquals(await Deno.readFile(file), before);
  });
});

Deno.test("store: a data dir that is a file is refused with its name", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/plain-file`;
    await Deno.writeTextFile(path, "x");
    throws(() => open(path), (e: Error) => {
      assert(e instanceof StoreError);
      assert(e.message.startsWith(`cannot use data dir ${path}:`), e.message);
      return true;
    });
  });
});

Deno.test("store: a batch crosses to the writer as bytes and reads back the same", () => {
  const enc = new BatchEncoder();
  const body = new Uint8Array([0, 255, 7]);
  enc.insert(
    { id: 2 ** 40, vhost: "/lab", queue: "заказы 📦", delivered: true, expiresAt: null },
    {
      exchange: "",
      routingKey: "k".repeat(300),
      properties: { deliveryMode: 2, headers: { a: 1 } },
      body,
    },
  );
  enc.other({ k: "delete", id: 9 });
  enc.other({ k: "delivered", id: 10 });
  enc.other({ k: "drop-queue", vhost: "/", queue: "q" });
  enc.other({ k: "define", kind: "user", key: "ann", value: '{"tags":[]}' });
  enc.other({ k: "define", kind: "user", key: "bob", value: null });
  const ops = decodeBatch(enc.finish());
  const insert = ops[0] as Extract<WriteOp, { k: "insert" }>;
  assertEquals(
    [insert.id, insert.vhost, insert.queue, insert.delivered, insert.expiresAt, insert.routingKey],
    [2 ** 40, "/lab", "заказы 📦", true, null, "k".repeat(300)],
  );
  assertEquals([...insert.body], [0, 255, 7]);
  assertEquals(decodeProperties(insert.properties), { deliveryMode: 2, headers: { a: 1 } });
  assertEquals(ops.slice(1), [
    { k: "delete", id: 9 },
    { k: "delivered", id: 10 },
    { k: "drop-queue", vhost: "/", queue: "q" },
    { k: "define", kind: "user", key: "ann", value: '{"tags":[]}' },
    { k: "define", kind: "user", key: "bob", value: null },
  ]);
});

Deno.test(
  "store: a message out with a consumer is held back a little; acked meanwhile, it is never written",
  opts,
  async () => {
    await withDir(async (dir) => {
      const timers = new FakeTimers();
      const s = await started(dir, timers);
      const [acked, slow] = [entry("acked"), entry("slow")];
      for (const e of [acked, slow]) {
        s.addMessage("/", "q", e);
        s.markDelivered(e); // delivered at once to a consumer
      }
      const ticket = s.takeTicket()!;
      timers.advance(5); // the window ends: both are held, not sent
      await sleep(50);
      assertEquals(ticket.open, 2);
      s.removeMessage(acked.storeId!); // the consumer acks one
      assertEquals(ticket.open, 1);
      timers.advance(10); // the hold ends for the other: written, then the ticket is done
      await done(ticket);
      await s.close();
      assertEquals(storedBodies(dir), [["q", "slow", "1"]]);
    });
  },
);
