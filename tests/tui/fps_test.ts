import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import fc from "fast-check";
import { FrameScheduler } from "../../src/tui/fps.ts";
import { fakeClock } from "./support/fake_clock.ts";

function scheduler(fps: number) {
  const clock = fakeClock();
  const frameTimes: number[] = [];
  const frames = new FrameScheduler({
    fps,
    render: () => frameTimes.push(clock.now()),
    now: clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  return { clock, frameTimes, frames };
}

Deno.test("FrameScheduler renders nothing when nothing is requested", () => {
  const { clock, frameTimes, frames } = scheduler(15);
  clock.runUntil(10_000);
  deepStrictEqual(frameTimes, []);
  strictEqual(frames.pending, false);
});

Deno.test("FrameScheduler coalesces a burst of requests into one frame", () => {
  const { clock, frameTimes, frames } = scheduler(15);
  for (let i = 0; i < 100; i++) frames.request();
  clock.runUntil(0);
  deepStrictEqual(frameTimes, [0]);
  clock.runUntil(5_000);
  strictEqual(frames.frames, 1);
});

Deno.test("FrameScheduler renders a request after a quiet spell at once", () => {
  const { clock, frameTimes, frames } = scheduler(10);
  frames.request();
  clock.runUntil(500);
  frames.request();
  clock.runUntil(500);
  deepStrictEqual(frameTimes, [0, 500]);
});

Deno.test("FrameScheduler delays a request soon after a frame to the next interval", () => {
  const { clock, frameTimes, frames } = scheduler(10);
  frames.request();
  clock.runUntil(10);
  frames.request();
  frames.request();
  clock.runUntil(99);
  deepStrictEqual(frameTimes, [0]);
  clock.runUntil(100);
  deepStrictEqual(frameTimes, [0, 100]);
});

Deno.test("FrameScheduler caps continuous requests at fps frames per second", () => {
  const { clock, frameTimes, frames } = scheduler(15);
  for (let t = 0; t < 1000; t++) {
    clock.runUntil(t);
    frames.request();
  }
  clock.runUntil(1000);
  // 15 fps over [0, 1000): frames at 0, 66.7, ..., 933.3 and the one due at 1000.
  ok(frameTimes.length >= 15 && frameTimes.length <= 16, `got ${frameTimes.length} frames`);
});

Deno.test("FrameScheduler schedules a request made while rendering one interval later", () => {
  const clock = fakeClock();
  const times: number[] = [];
  const frames: FrameScheduler = new FrameScheduler({
    fps: 20,
    render: () => {
      times.push(clock.now());
      if (times.length < 3) frames.request();
    },
    ...clock,
  });
  frames.request();
  clock.runUntil(1000);
  deepStrictEqual(times, [0, 50, 100]);
});

Deno.test("FrameScheduler.cancel() drops the pending frame", () => {
  const { clock, frameTimes, frames } = scheduler(15);
  frames.request();
  frames.cancel();
  clock.runUntil(1000);
  deepStrictEqual(frameTimes, []);
});

Deno.test("FrameScheduler rejects a non-positive fps", async (t) => {
  for (const fps of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    await t.step(String(fps), () => {
      throws(() => new FrameScheduler({ fps, render: () => {} }), RangeError);
    });
  }
});

Deno.test("FrameScheduler never exceeds fps and never loses a request (random request times)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }),
      (fps, rawTimes) => {
        const { clock, frameTimes, frames } = scheduler(fps);
        const requests = [...rawTimes].sort((a, b) => a - b);
        for (const t of requests) {
          clock.runUntil(t);
          frames.request();
        }
        clock.runUntil(10_000);
        const interval = 1000 / fps;
        for (let i = 1; i < frameTimes.length; i++) {
          ok(frameTimes[i]! - frameTimes[i - 1]! >= interval - 1e-9, "frames at most fps apart");
        }
        for (const t of requests) {
          // Every request is followed by a frame no later than one interval after it.
          ok(frameTimes.some((f) => f >= t && f <= t + interval + 1e-9), `request at ${t} served`);
        }
        ok(frameTimes.length <= requests.length, "no frame without a request");
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("FrameScheduler.requestNow() draws at once, bringing a capped frame forward", () => {
  const { clock, frameTimes, frames } = scheduler(10);
  frames.request();
  clock.runUntil(10);
  frames.request(); // capped: due at 100
  frames.requestNow(); // a key: now
  frames.requestNow(); // coalesces
  clock.runUntil(10);
  deepStrictEqual(frameTimes, [0, 10]);
  // The cap counts from the key's frame: a streamed update waits for 110.
  frames.request();
  clock.runUntil(109);
  deepStrictEqual(frameTimes, [0, 10]);
  clock.runUntil(110);
  deepStrictEqual(frameTimes, [0, 10, 110]);
  strictEqual(frames.pending, false);
});
