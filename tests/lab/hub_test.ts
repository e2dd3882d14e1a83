import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import fc from "fast-check";
import { Hub, virtualHub } from "../../src/lab/hub.ts";
import { join, joinAll, recv, sleep, switchTo, wait } from "../../src/lab/effects.ts";
import { RealClock } from "../../src/lab/clock.ts";
import { type Task, TaskKilled } from "../../src/lab/task.ts";

/** A virtual hub plus a log of `[time] text` lines. */
function setup() {
  const hub = virtualHub();
  const log: string[] = [];
  const say = (text: string) => log.push(`${hub.now()} ${text}`);
  return { hub, log, say };
}

Deno.test("sleep() resumes a task after exactly its delay on the virtual clock", async () => {
  const { hub, log, say } = setup();
  hub.spawn("a", function* () {
    say("start");
    yield sleep(250);
    say("woke");
    yield sleep(1000);
    say("woke again");
  });
  await hub.idle();
  assertEquals(log, ["0 start", "250 woke", "1250 woke again"]);
  hub.close();
});

Deno.test("bare yield puts the task at the back of the FIFO ready queue", async () => {
  const { hub, log, say } = setup();
  for (const name of ["a", "b", "c"]) {
    hub.spawn(name, function* () {
      for (let i = 1; i <= 2; i++) {
        say(`${name}${i}`);
        yield;
      }
    });
  }
  await hub.idle();
  assertEquals(log, ["0 a1", "0 b1", "0 c1", "0 a2", "0 b2", "0 c2"]);
  assertEquals(hub.stats().done, 3);
  hub.close();
});

Deno.test("timers due at the same time fire in the order they were set", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }),
      async (delays) => {
        const hub = virtualHub();
        const woke: number[] = [];
        delays.forEach((d, i) =>
          hub.spawn(`t${i}`, function* () {
            yield sleep(d * 100);
            woke.push(i);
          })
        );
        await hub.idle();
        const expected = delays.map((d, i) => ({ d: d === 0 ? -1 : d, i })) // sleep(0) is a plain yield
          .sort((x, y) => x.d - y.d || x.i - y.i).map((x) => x.i);
        assertEquals(woke, expected);
        hub.close();
      },
    ),
    { numRuns: 50 },
  );
});

Deno.test("wait() resumes with the promise's value and shows its label while waiting", async () => {
  const { hub, log, say } = setup();
  let release!: (v: string) => void;
  const t = hub.spawn("reader", function* () {
    const v = yield wait(new Promise<string>((r) => release = r), "read sock 3");
    say(`got ${v}`);
  });
  await new Promise((r) => setTimeout(r, 5));
  assertEquals(t.stateText, "waiting(io:read sock 3)");
  release("hello");
  await hub.idle();
  assertEquals(log, ["0 got hello"]);
  assertEquals(t.lastWake, "io completed");
  hub.close();
});

Deno.test("wait() throws a rejected promise's error inside the task, where it can be caught", async () => {
  const { hub, log, say } = setup();
  hub.spawn("reader", function* () {
    try {
      yield wait(Promise.reject(new Error("connection reset")), "read");
    } catch (error) {
      say(`caught ${(error as Error).message}`);
    }
  });
  await hub.idle();
  assertEquals(log, ["0 caught connection reset"]);
  hub.close();
});

Deno.test("the virtual clock waits for pending io before moving time on", async () => {
  const { hub, log, say } = setup();
  hub.spawn("io", function* () {
    yield wait(new Promise((r) => setTimeout(r, 20)), "slow io");
    say("io done");
  });
  hub.spawn("sleeper", function* () {
    yield sleep(1000);
    say("slept");
  });
  await hub.idle();
  assertEquals(log, ["0 io done", "1000 slept"]);
  hub.close();
});

Deno.test("hold() stops the virtual clock and delay() resolves on hub time", async () => {
  const { hub, log, say } = setup();
  const release = hub.hold();
  hub.spawn("sleeper", function* () {
    yield sleep(100);
    say("slept");
  });
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(log, []);
  release();
  const fired = hub.delay(300).then(() => say("delay fired"));
  await hub.idle();
  await fired;
  assertEquals(log, ["100 slept", "300 delay fired"]);
  hub.close();
});

Deno.test("recv() takes mailbox messages in order and waits when the mailbox is empty", async () => {
  const { hub, log, say } = setup();
  const consumer = hub.spawn("consumer", function* () {
    for (;;) say(`got ${yield recv()}`);
  });
  consumer.send("early"); // buffered before the consumer first runs
  hub.spawn("producer", function* () {
    yield sleep(10);
    consumer.send(1);
    consumer.send(2);
  });
  await hub.idle();
  assertEquals(log, ["0 got early", "10 got 1", "10 got 2"]);
  assertEquals(consumer.stateText, "waiting(recv)");
  assertEquals(hub.stats().waiting.recv, 1);
  hub.close();
});

Deno.test("switchTo() hands values back and forth without going through the queue", async () => {
  const { hub, log, say } = setup();
  // deno-lint-ignore prefer-const
  let a: Task;
  // deno-lint-ignore prefer-const
  let b: Task;
  a = hub.spawn("a", function* () {
    say(`a got ${yield switchTo(b!, "ping 1")}`);
    say(`a got ${yield switchTo(b!, "ping 2")}`);
  });
  b = hub.spawn("b", function* () {
    say("b starts"); // a fresh task starts from the top (a generator's first value is lost)
    say(`b got ${yield switchTo(a!, "pong 1")}`);
    yield switchTo(a!, "pong 2");
  });
  // deno-lint-ignore require-yield
  hub.spawn("c", function* () {
    say("c runs after the chain");
  });
  await hub.idle();
  assertEquals(log, [
    "0 b starts",
    "0 a got pong 1",
    "0 b got ping 2",
    "0 a got pong 2",
    "0 c runs after the chain",
  ]);
  assertEquals(b.stateText, "waiting(switch)"); // parked: nobody switches back
  assertEquals(b.lastWake, "switched to");
  hub.close();
});

Deno.test("switchTo() a task that is not parked in a switch throws inside the caller", async () => {
  const { hub, log, say } = setup();
  const sleeper = hub.spawn("sleeper", function* () {
    yield sleep(1000);
  });
  hub.spawn("switcher", function* () {
    try {
      yield switchTo(sleeper);
    } catch (error) {
      say((error as Error).message);
    }
  });
  await hub.idle();
  assertEquals(log, [
    "0 Cannot switch to 'sleeper': it is waiting(sleep); only a new task or one parked in switchTo can be switched to",
  ]);
  hub.close();
});

Deno.test("join() resumes with the result, and with undefined when the task failed", async () => {
  const { hub, log, say } = setup();
  const good = hub.spawn("good", function* () {
    yield sleep(50);
    return 42;
  });
  const bad = hub.spawn("bad", function* () {
    yield sleep(80);
    throw new Error("boom");
  });
  hub.spawn("joiner", function* () {
    say(`good -> ${yield join(good)}`);
    say(`bad -> ${yield join(bad)}`);
    say(`again -> ${yield join(good)}`); // already finished: no wait
  });
  await hub.idle();
  assertEquals(log, ["50 good -> 42", "80 bad -> undefined", "80 again -> 42"]);
  assertEquals(bad.state, "failed");
  assertEquals((bad.error as Error).message, "boom");
  hub.close();
});

Deno.test("joinAll() waits for every task and resumes with their results in order", async () => {
  const { hub, log, say } = setup();
  hub.spawn("main", function* (self) {
    const tasks = [300, 100, 200].map((ms) =>
      hub.spawn(`w${ms}`, function* () {
        yield sleep(ms);
        return ms * 2;
      })
    );
    say(`results ${JSON.stringify(yield joinAll(tasks))}`);
    assertEquals(tasks.map((t) => t.parentId), [self.id, self.id, self.id]);
    assertEquals(tasks.map((t) => t.group), ["main", "main", "main"]);
  });
  await hub.idle();
  assertEquals(log, ["300 results [600,200,400]"]);
  hub.close();
});

Deno.test("an error in a task fails that task only; the others go on", async () => {
  const { hub, log, say } = setup();
  const bad = hub.spawn("bad", function* () {
    yield sleep(10);
    throw new RangeError("bad input");
  });
  hub.spawn("good", function* () {
    yield sleep(20);
    say("still running");
  });
  const odd = hub.spawn("odd", function* () {
    yield 42 as never;
  });
  await hub.idle();
  assertEquals(log, ["20 still running"]);
  assertEquals(bad.state, "failed");
  assert(bad.error instanceof RangeError);
  assertEquals(odd.state, "failed");
  assertMatch((odd.error as Error).message, /yielded 42, which is not a hub effect/);
  assertEquals(hub.stats().failed, 2);
  assertEquals(hub.stats().done, 1);
  hub.close();
});

Deno.test("a malformed effect fails its task, not the hub", async () => {
  const { hub, log, say } = setup();
  const bad = hub.spawn("bad", function* () {
    yield switchTo(undefined as unknown as Task);
  });
  const odd = hub.spawn("odd", function* () {
    say(`waited on a plain value: ${yield wait(7 as unknown as Promise<number>, "not a promise")}`);
  });
  await hub.idle();
  assertEquals(bad.state, "failed");
  assert(bad.error instanceof TypeError);
  assertEquals(odd.state, "done");
  assertEquals(log, ["0 waited on a plain value: 7"]);
  hub.close();
});

Deno.test("kill() ends a waiting task, runs its finally block and wakes its joiners", async () => {
  const { hub, log, say } = setup();
  const victim = hub.spawn("victim", function* () {
    try {
      yield sleep(10_000);
      say("never");
    } finally {
      say("cleanup");
    }
  });
  hub.spawn("joiner", function* () {
    yield join(victim);
    say("joiner woke");
  });
  hub.spawn("killer", function* () {
    yield sleep(100);
    say(`kill -> ${hub.kill(victim)}`);
    say(`kill again -> ${hub.kill(victim)}`);
  });
  await hub.idle();
  assertEquals(log, [
    "100 cleanup",
    "100 kill -> true",
    "100 kill again -> false",
    "100 joiner woke",
  ]);
  // killed, not failed: a kill is what a person does, not an exception
  assertEquals(victim.state, "killed");
  assert(victim.error instanceof TaskKilled);
  assertEquals([hub.stats().killed, hub.stats().failed], [1, 0]);
  assertEquals(hub.now(), 100); // the dead sleeper's timer does not hold the hub
  hub.close();
});

Deno.test("kill() of the running task ends it when its step returns", async () => {
  const { hub, log, say } = setup();
  const t = hub.spawn("self-killer", function* (self) {
    hub.kill(self);
    say("rest of the step runs");
    yield sleep(10);
    say("never");
  });
  await hub.idle();
  assertEquals(log, ["0 rest of the step runs"]);
  assertEquals(t.state, "killed");
  assert(t.error instanceof TaskKilled);
  hub.close();
});

Deno.test("instrumentation tracks states, switches, waits and recent state changes", async () => {
  const { hub } = setup();
  const t = hub.spawn("worker", function* () {
    yield sleep(100);
    yield;
    yield sleep(50);
  }, { group: "workers" });
  const before = hub.stats();
  assertEquals([before.live, before.ready], [1, 1]);
  await hub.idle();
  assertEquals(t.switches, 4);
  assertEquals(t.waitingMs, 150);
  assertEquals(t.busyMs, 0); // virtual time does not pass while a step runs
  assertEquals(t.state, "done");
  assertEquals(t.lastWake, "timer fired");
  assertEquals(t.group, "workers");
  assertEquals(
    hub.events(t).map((e) => `${e.atMs} ${e.text}`),
    [
      "0 ready",
      "0 running",
      "0 waiting(sleep)",
      "100 ready",
      "100 running",
      "100 ready",
      "100 running",
      "100 waiting(sleep)",
      "150 ready",
      "150 running",
      "150 done",
    ],
  );
  const s = hub.stats();
  assertEquals([s.live, s.done, s.spawned, s.switches], [0, 1, 1, 4]);
  hub.close();
});

Deno.test("the ring keeps only the last 16 state changes of a task", async () => {
  const { hub } = setup();
  const t = hub.spawn("spinner", function* () {
    for (let i = 0; i < 100; i++) yield;
  });
  await hub.idle();
  assertEquals(hub.events(t).length, 16);
  assertEquals(hub.eventCount(t), 1 + 101 * 2);
  assertEquals(hub.events(t).at(-1)?.text, "done");
  hub.close();
});

Deno.test("finished tasks are kept for the table up to a limit, then forgotten", async () => {
  const hub = virtualHub({ keepFinished: 3 });
  const tasks: Task[] = [];
  for (let i = 1; i <= 5; i++) {
    tasks.push(hub.spawn(`t${i}`, function* () {
      yield;
    }));
  }
  await hub.idle();
  assertEquals(hub.recentFinished().map((t) => t.name), ["t3", "t4", "t5"]);
  assertEquals(hub.task(tasks[0]!.id), undefined);
  assertEquals(hub.events(tasks[0]!), []); // its ring slot went to a newer task
  assertEquals(hub.events(tasks[4]!).at(-1)?.text, "done");
  hub.close();
});

Deno.test("a step over 50 ms raises the blocking warning (real busy-wait)", async () => {
  const hub = new Hub({ clock: new RealClock() });
  const t = hub.spawn("blocker", function* () {
    const end = performance.now() + 60;
    while (performance.now() < end) {
      // a blocking call inside a coroutine
    }
    yield sleep(1);
  });
  const quick = hub.spawn("quick", function* () {
    yield sleep(1);
  });
  await hub.idle();
  assertEquals(t.warnings.map((w) => w.kind), ["blocking"]);
  const w = t.warnings[0]!;
  assert(w.valueMs >= 60 && w.valueMs < 1000, `measured ${w.valueMs} ms`);
  assertMatch(w.summary, /one step blocked the hub for \d+ ms/);
  assertMatch(w.explanation, /stalls everyone/);
  assertEquals(quick.warnings.length, 0);
  assertEquals(hub.stats().warnings, 1);
  hub.close();
});

Deno.test("the watchdog array shows which task is running and since when", async () => {
  const watch = new Float64Array(new SharedArrayBuffer(16));
  const hub = new Hub({ clock: new RealClock(), watchdog: watch });
  const seen: number[][] = [];
  const t = hub.spawn("looker", function* (self) {
    yield sleep(5);
    const before = Date.now();
    seen.push([watch[1]!, self.id, before - watch[0]!]);
  });
  await hub.idle();
  assertEquals(seen[0]![0], t.id); // what another thread would read mid-step
  assert(seen[0]![2]! >= -2 && seen[0]![2]! < 50, `step began ${seen[0]![2]} ms ago`);
  assertEquals(watch[1], 0); // between steps
  hub.close();
});

Deno.test("warning thresholds: 50 ms blocks, 1 s without yielding, on the virtual clock", async () => {
  const seen: string[] = [];
  const hub = virtualHub({ onWarning: (w) => seen.push(`${w.taskName} ${w.kind} ${w.valueMs}`) });
  hub.spawn("fine", function* () {
    hub.clock.busyWait(49);
    yield;
  });
  hub.spawn("blocks", function* () {
    hub.clock.busyWait(50);
    yield;
  });
  hub.spawn("hog", function* () {
    hub.clock.busyWait(1000);
    yield;
  });
  await hub.idle();
  assertEquals(seen, ["blocks blocking 50", "hog blocking 1000", "hog no-yield 1000"]);
  assertMatch(hub.recentWarnings().at(-1)!.explanation, /without reaching a yield/);
  hub.close();
});

Deno.test("a blocking step makes timers fire late, which shows as loop lag", async () => {
  const { hub, log, say } = setup();
  hub.spawn("ticker", function* () {
    yield sleep(100);
    say("tick");
  });
  hub.spawn("blocker", function* () {
    yield sleep(50);
    hub.clock.busyWait(200);
  });
  await hub.idle();
  assertEquals(log, ["250 tick"]);
  assertEquals(hub.takeLoopLagMs(), 150);
  assertEquals(hub.takeLoopLagMs(), 0);
  hub.close();
});

Deno.test("a task waiting far longer than its peers gets the slow-wait warning; one with idleWaits does not", async (ctx) => {
  const { hub } = setup();
  const peers: Task[] = [];
  for (let i = 0; i < 4; i++) {
    const t = hub.spawn(`w${i}`, function* () {
      for (;;) yield recv();
    }, { group: "pool" });
    peers.push(t);
  }
  const stuck = hub.spawn("stuck", function* () {
    yield recv(); // nobody ever sends to it
  }, { group: "pool" });
  // The same wait by a task that waits for clients by nature (a server): no warning.
  const server = hub.spawn("server", function* () {
    yield recv();
  }, { group: "pool", idleWaits: true });
  hub.spawn("feeder", function* () {
    for (let n = 0; n < 40; n++) {
      yield sleep(50);
      for (const p of peers) p.send(n);
    }
  }, { group: "feeder" });
  await hub.idle();
  assertEquals(hub.now(), 2000);
  hub.scanWaits();
  assertEquals(stuck.warnings.map((w) => w.kind), ["slow-wait"]);
  assertMatch(stuck.warnings[0]!.summary, /waiting 2\.00 s, peers in 'pool' typically 50 ms/);
  assertEquals(server.warnings, []);
  for (const p of peers) {
    await ctx.step(`peer ${p.name} has no warning`, () => {
      assertEquals(p.warnings.length, 0);
    });
  }
  hub.close();
});

Deno.test("idle() resolves when only tasks nobody can wake are left", async () => {
  const { hub } = setup();
  const t = hub.spawn("lonely", function* () {
    yield recv();
  });
  await hub.idle();
  assertEquals(t.stateText, "waiting(recv)");
  assertEquals(hub.stats().live, 1);
  hub.close();
  // closing the hub leaves it as Python leaves a suspended generator: abandoned, not failed
  assertEquals([t.state, t.endReason], ["abandoned", "hub closed while it waited in recv"]);
});

Deno.test("a long switch chain is cut into slices so the event loop still runs", async () => {
  const hub = new Hub({ sliceMs: 5 });
  // deno-lint-ignore prefer-const
  let a: Task;
  // deno-lint-ignore prefer-const
  let b: Task;
  let timerRan = false;
  setTimeout(() => timerRan = true, 0);
  a = hub.spawn("a", function* () {
    for (let i = 0; i < 2_000_000; i++) yield switchTo(b!);
  });
  b = hub.spawn("b", function* () {
    for (;;) yield switchTo(a!);
  });
  await a.whenFinished();
  assert(timerRan, "a setTimeout callback ran during the chain");
  assertEquals(a.switches, 2_000_001);
  hub.close();
});

Deno.test("a hub that never runs out of work still lets timers around it fire", async () => {
  // The lab Worker's snapshot ticker is such a timer: if it starved, the
  // Coroutines panel would freeze while a busy demo runs.
  const hub = new Hub();
  let fired = 0;
  const ticker = setInterval(() => fired++, 20);
  let ping: Task | null = null;
  let pong: Task | null = null;
  ping = hub.spawn("ping", function* () {
    // Bounded, so the test ends even when timers starve (then fired stays ~1).
    for (let i = 0; i < 30_000_000 && fired < 5; i++) yield switchTo(pong!);
  });
  pong = hub.spawn("pong", function* () {
    for (;;) yield switchTo(ping!);
  });
  await ping.whenFinished();
  clearInterval(ticker);
  hub.close();
  assert(fired >= 5, `the interval fired ${fired} times while the hub was busy`);
});
