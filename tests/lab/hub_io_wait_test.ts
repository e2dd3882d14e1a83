/**
 * The hub's io waits settled from outside: `waitFor`'s callbacks, and what
 * happens to a settle that comes after its task ended (kill, hub closed).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { virtualHub } from "../../src/lab/hub.ts";
import { sleep, wait, waitFor } from "../../src/lab/effects.ts";

function setup() {
  const hub = virtualHub();
  const log: string[] = [];
  const say = (text: string) => log.push(`${hub.now()} ${text}`);
  return { hub, log, say };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

Deno.test("waitFor() resumes with done's value, shows its label while waiting, once per call", async () => {
  const { hub, log, say } = setup();
  let done!: (v: unknown) => void;
  let starts = 0;
  // one start for the task's life: it is called anew for each wait
  const start = (d: (v: unknown) => void) => {
    starts++;
    done = d;
  };
  const t = hub.spawn("reader", function* () {
    say(`got ${yield waitFor(start, "read")}`);
    say(`got ${yield waitFor(start, "read")}`);
  });
  await tick();
  assertEquals(t.stateText, "waiting(io:read)");
  done("hello");
  await tick();
  assertEquals(t.stateText, "waiting(io:read)");
  done("again");
  await hub.idle();
  assertEquals(log, ["0 got hello", "0 got again"]);
  assertEquals([starts, t.lastWake, t.state], [2, "io completed", "done"]);
  hub.close();
});

Deno.test("waitFor() throws failed's error, or what start threw, inside the task", async () => {
  const { hub, log, say } = setup();
  hub.spawn("reader", function* () {
    try {
      yield waitFor((_done, failed) => setTimeout(() => failed(new Error("reset")), 1), "read");
    } catch (error) {
      say(`caught ${(error as Error).message}`);
    }
    try {
      yield waitFor(() => {
        throw new Error("bad fd");
      }, "read");
    } catch (error) {
      say(`caught ${(error as Error).message}`);
    }
  });
  await hub.idle();
  assertEquals(log, ["0 caught reset", "0 caught bad fd"]);
  assertEquals(hub.stats().waiting.io, 0);
  hub.close();
});

Deno.test("done() called inside start resumes the task all the same", async () => {
  const { hub, log, say } = setup();
  hub.spawn("reader", function* () {
    say(`got ${yield waitFor((done) => done(42), "cached")}`);
  });
  await hub.idle();
  assertEquals(log, ["0 got 42"]);
  hub.close();
});

Deno.test("a settle that comes after its task was killed changes nothing", async () => {
  const { hub, log, say } = setup();
  let done!: (v: unknown) => void;
  let release!: (v: unknown) => void;
  const a = hub.spawn("a", function* () {
    try {
      yield waitFor((d) => done = d, "read");
      say("a resumed");
    } finally {
      say("a finally");
    }
  });
  const b = hub.spawn("b", function* () {
    yield wait(new Promise((r) => release = r), "fetch");
    say("b resumed");
  });
  await tick();
  assert(hub.kill(a));
  assert(hub.kill(b));
  // the virtual clock no longer waits for their io: a sleeper's time moves on
  hub.spawn("sleeper", function* () {
    yield sleep(100);
    say("slept");
  });
  await hub.idle();
  done("late");
  release("late");
  await tick();
  await hub.idle();
  assertEquals(log, ["0 a finally", "100 slept"]);
  assertEquals([a.state, b.state, hub.stats().waiting.io], ["killed", "killed", 0]);
  hub.close();
});

Deno.test("a wait's settle after the hub closed is ignored", async () => {
  const { hub } = setup();
  let done!: (v: unknown) => void;
  const t = hub.spawn("reader", function* () {
    yield waitFor((d) => done = d, "read");
  });
  await tick();
  hub.close();
  done("late");
  await tick();
  assertEquals(t.state, "abandoned");
});
