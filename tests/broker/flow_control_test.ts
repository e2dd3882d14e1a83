/** FlowControl: when a connection's socket is read, with a fake socket and a fake clock. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { FlowControl, type FlowHost } from "../../src/broker/flow_control.ts";
import { MemoryMonitor, SAMPLE_MS } from "../../src/broker/memory_monitor.ts";
import { FakeTimers } from "./support/fake_timers.ts";

const MB = 1_000_000;

function setup(capability = true) {
  const timers = new FakeTimers();
  const state = { usage: 50 * MB };
  const flows: FlowControl[] = [];
  const memory = new MemoryMonitor({
    limit: 100 * MB,
    timers,
    readUsage: () => state.usage,
    onAlarm: (on) => flows.forEach((f) => f.alarm(on)),
  });
  memory.start();
  const log: string[] = [];
  const host: FlowHost = {
    socket: { pause: () => log.push("pause"), resume: () => log.push("resume") },
    running: () => true,
    blockedCapability: () => capability,
    sendBlocked: (on) => log.push(on ? "connection.blocked" : "connection.unblocked"),
    resumed: () => {},
  };
  const flow = new FlowControl(host, memory);
  flows.push(flow);
  return { timers, state, flow, log, memory };
}

Deno.test("a connection out of read credit pauses until the next sample grants more", () => {
  const { timers, flow, log } = setup();
  flow.read(10 * MB);
  assertEquals(log, []);
  flow.read(15 * MB); // the first grant was 25 MB (half of 50 MB of room)
  assertEquals(log, ["pause"]);
  assert(flow.paused);
  timers.advance(SAMPLE_MS);
  assertEquals(log, ["pause", "resume"], "no connection.blocked: credit is silent");
});

Deno.test("the alarm blocks publishers only, with connection.blocked, until it clears", () => {
  const { timers, state, flow, log } = setup();
  state.usage = 120 * MB;
  timers.advance(SAMPLE_MS);
  assertEquals(log, [], "a connection that never published is still read");
  flow.published();
  flow.checkAlarm();
  assertEquals(log, ["connection.blocked", "pause"]);
  state.usage = 60 * MB;
  timers.advance(SAMPLE_MS);
  assertEquals(log, ["connection.blocked", "pause", "connection.unblocked", "resume"]);
});

Deno.test("a client without the connection.blocked capability is paused without being told", () => {
  const { timers, state, flow, log } = setup(false);
  flow.published();
  state.usage = 120 * MB;
  timers.advance(SAMPLE_MS);
  assertEquals(log, ["pause"]);
  state.usage = 60 * MB;
  timers.advance(SAMPLE_MS);
  assertEquals(log, ["pause", "resume"]);
});
