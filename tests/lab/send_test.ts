/**
 * `send()`, the lesson's generator hand-off: the receiver runs at once until
 * it yields next, then the sender resumes, with nothing else in between.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { virtualHub } from "../../src/lab/hub.ts";
import { recv, send, sleep, type TaskGen } from "../../src/lab/effects.ts";
import type { Task } from "../../src/lab/task.ts";

function setup() {
  const hub = virtualHub();
  const log: string[] = [];
  const say = (text: string) => log.push(text);
  return { hub, log, say };
}

function consumer(say: (text: string) => void) {
  return function* (self: Task): TaskGen {
    for (;;) say(`${self.name} got ${yield recv()}`);
  };
}

Deno.test("send() runs a receiver waiting in recv() at once and returns when it yields", async () => {
  const { hub, log, say } = setup();
  const c1 = hub.spawn("c1", consumer(say));
  const c2 = hub.spawn("c2", consumer(say));
  hub.spawn("other", function* () {
    for (let i = 0; i < 3; i++) {
      say("other runs");
      yield;
    }
  });
  hub.spawn("producer", function* () {
    for (let n = 1; n <= 2; n++) {
      say(`send ${n} to c1`);
      yield send(c1, n);
      say(`send ${n} to c2`);
      yield send(c2, n);
      say(`sent ${n}`);
    }
  });
  await hub.idle();
  assertEquals(log, [
    "other runs",
    "send 1 to c1",
    "c1 got 1",
    "send 1 to c2",
    "c2 got 1",
    "sent 1",
    "send 2 to c1",
    "c1 got 2",
    "send 2 to c2",
    "c2 got 2",
    "sent 2",
    "other runs",
    "other runs",
  ]);
  hub.close();
});

Deno.test("the trace of a send() is sender -> receiver -> sender", async () => {
  const lines: string[] = [];
  const hub = virtualHub({ trace: (line) => lines.push(line) });
  const c = hub.spawn("c", consumer(() => {}));
  hub.spawn("p", function* () {
    yield send(c, 1);
    yield sleep(5);
  });
  await hub.idle();
  assertEquals(lines.slice(lines.indexOf("p: send to c")), [
    "p: send to c",
    "switch p -> c",
    "c: recv (mailbox empty)",
    "switch c -> p",
    "p: sleep 5 ms",
    "wake p (timer fired)",
    "p: done",
  ]);
  hub.close();
});

Deno.test("while the receiver runs, the sender waits in send", async () => {
  const { hub, log, say } = setup();
  let producer: Task | null = null;
  const c = hub.spawn("c", function* () {
    yield recv();
    say(`producer is ${producer!.stateText}`);
    yield recv();
  });
  producer = hub.spawn("producer", function* () {
    yield send(c, 1);
  });
  await hub.idle();
  assertEquals(log, ["producer is waiting(send)"]);
  assertEquals(producer.lastWake, "receiver yielded");
  hub.close();
});

Deno.test("send() to a task not run yet runs it from its start; it takes the value at recv()", async () => {
  const { hub, log, say } = setup();
  hub.spawn("p", function* () {
    const c = hub.spawn("c", function* () {
      say("c starts");
      say(`c got ${yield recv()}`);
      yield recv();
    });
    yield send(c, 7);
    say("p goes on");
  });
  await hub.idle();
  assertEquals(log, ["c starts", "c got 7", "p goes on"]);
  hub.close();
});

Deno.test("send() to a busy receiver leaves the value in its mailbox and does not switch", async () => {
  const { hub, log, say } = setup();
  const c = hub.spawn("c", function* () {
    yield sleep(100);
    say(`c got ${yield recv()} at ${hub.now()}`);
  });
  hub.spawn("p", function* () {
    yield send(c, "x");
    say(`p goes on at ${hub.now()}`);
  });
  await hub.idle();
  assertEquals(log, ["p goes on at 0", "c got x at 100"]);
  hub.close();
});

Deno.test("a receiver that returns gives control straight back to its sender", async () => {
  const { hub, log, say } = setup();
  const c = hub.spawn("c", function* () {
    say(`c got ${yield recv()} and returns`);
  });
  hub.spawn("bystander", function* () {
    yield sleep(0);
    say("bystander");
  });
  hub.spawn("p", function* () {
    yield send(c, 1);
    say("p resumes");
  });
  await hub.idle();
  assertEquals(log, ["c got 1 and returns", "p resumes", "bystander"]);
  assertEquals(c.state, "done");
  hub.close();
});

Deno.test("send() to a task that has ended throws in the sender, like StopIteration", async () => {
  const { hub, log, say } = setup();
  // deno-lint-ignore require-yield
  const c = hub.spawn("c", function* () {
    return 1;
  });
  hub.spawn("p", function* () {
    yield sleep(1);
    try {
      yield send(c, 1);
    } catch (error) {
      say(String((error as Error).message));
    }
  });
  await hub.idle();
  assertEquals(log, ["Cannot send to 'c': it has ended (done)"]);
  hub.close();
});

Deno.test("sends nest: a -> b -> c -> b -> a, as generators sending to generators", async () => {
  const { hub, log, say } = setup();
  const c = hub.spawn("c", consumer(say));
  const b = hub.spawn("b", function* () {
    for (;;) {
      const v = yield recv();
      say(`b got ${v}, sends on`);
      yield send(c, v);
      say("b back");
    }
  });
  hub.spawn("a", function* () {
    yield send(b, 1);
    say("a back");
  });
  await hub.idle();
  assertEquals(log, ["b got 1, sends on", "c got 1", "b back", "a back"]);
  hub.close();
});

Deno.test("a sender ended while its receiver runs is not resumed", async () => {
  const { hub, log, say } = setup();
  let p: Task | null = null;
  const c = hub.spawn("c", function* () {
    yield recv();
    say(`kill sender -> ${hub.kill(p!)}`);
    yield recv();
  });
  p = hub.spawn("p", function* () {
    yield send(c, 1);
    say("never");
  });
  await hub.idle();
  assertEquals(log, ["kill sender -> true"]);
  assertEquals(p.state, "killed");
  assert(hub.stats().live === 1);
  hub.close();
});
