/**
 * The durable store on its own (src/broker/store.ts): group commits, a
 * message removed before its commit never written, tickets (publisher
 * confirms) done only once synced or cancelled, definitions, and the data
 * dir errors: locked by another broker, a damaged file, not a store. Every
 * store lives in a fresh temp dir.
 */
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import type { QueuedMessage } from "../../../src/broker/message.ts";
import { Store } from "../../../src/broker/store.ts";
import { STORE_FILE, StoreError } from "../../../src/broker/store_schema.ts";
import { FakeTimers } from "../support/fake_timers.ts";

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

const bodies = (s: Store) => [...s.messages()].map((m) => new TextDecoder().decode(m.body));

Deno.test("store: messages are written in one commit per window and read back in order after a reopen", async () => {
  await withDir((dir) => {
    const timers = new FakeTimers();
    const s = open(dir, timers);
    for (const b of ["a", "b", "c"]) s.addMessage("/", "q", entry(b));
    s.addMessage("/", "other", entry("z"));
    assertEquals(bodies(s), [], "nothing is written before the window ends");
    timers.advance(5);
    assertEquals(bodies(s), ["z", "a", "b", "c"]);
    s.close();
    const again = open(dir);
    const rows = [...again.messages()];
    assertEquals(rows.map((r) => [r.queue, new TextDecoder().decode(r.body)]), [
      ["other", "z"],
      ["q", "a"],
      ["q", "b"],
      ["q", "c"],
    ]);
    again.close();
  });
});

Deno.test("store: a message removed before its commit is never written and its ticket is done at once", async () => {
  await withDir((dir) => {
    const s = open(dir);
    const e = entry("gone");
    s.addMessage("/", "q", e);
    const ticket = s.takeTicket()!;
    assertEquals(ticket.open, 1);
    let done = 0;
    ticket.onDone = () => done++;
    s.removeMessage(e.storeId!);
    assertEquals([ticket.open, done], [0, 1]);
    s.commit();
    assertEquals(bodies(s), []);
    s.close();
  });
});

Deno.test("store: a ticket is done only when its commit is synced; acks after it delete the rows", async () => {
  await withDir((dir) => {
    const timers = new FakeTimers();
    const s = open(dir, timers);
    const kept = [entry("1"), entry("2")];
    for (const e of kept) s.addMessage("/", "q", e);
    const ticket = s.takeTicket()!;
    assertEquals(s.takeTicket(), undefined, "a ticket is taken once");
    let done = false;
    ticket.onDone = () => done = true;
    timers.advance(4);
    assert(!done);
    timers.advance(1);
    assert(done);
    assertEquals(ticket.failed, false);
    s.markDelivered(kept[0]!);
    s.removeMessage(kept[1]!.storeId!);
    s.commit();
    const rows = [...s.messages()];
    assertEquals(rows.map((r) => [new TextDecoder().decode(r.body), r.delivered]), [["1", 1]]);
    s.dropQueue("/", "q");
    s.commit();
    assertEquals(bodies(s), []);
    s.close();
  });
});

Deno.test("store: a full batch commits at once, without waiting for the window", async () => {
  await withDir((dir) => {
    const s = open(dir);
    for (let i = 0; i < 1000; i++) s.addMessage("/", "q", entry(`m${i}`));
    assertEquals(bodies(s).length, 1000);
    s.close();
  });
});

Deno.test("store: definitions are saved, replaced, deleted and loaded by kind", async () => {
  await withDir((dir) => {
    const s = open(dir);
    s.saveDefinition("user", "ann", { tags: ["management"] });
    s.saveDefinition("user", "bob", { tags: [] });
    s.saveDefinition("vhost", "/lab", { name: "/lab" });
    s.saveDefinition("user", "bob", { tags: ["administrator"] });
    s.deleteDefinition("user", "ann");
    s.commit();
    assertEquals(s.loadDefinitions("user"), [{ key: "bob", value: { tags: ["administrator"] } }]);
    s.close();
    const again = open(dir);
    assertEquals(again.loadDefinitions("vhost"), [{ key: "/lab", value: { name: "/lab" } }]);
    again.close();
  });
});

Deno.test("store: a second store on a dir in use fails at once, naming the file", async () => {
  await withDir((dir) => {
    const first = open(dir);
    try {
      throws(() => open(dir), (e: Error) => {
        assert(e instanceof StoreError, String(e));
        assert(e.message.includes(`${dir}/${STORE_FILE} is in use by another broker`), e.message);
        return true;
      });
    } finally {
      first.close();
    }
    open(dir).close(); // free again once the first one closed
  });
});

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
