import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { LabMessage } from "../../src/lab/protocol.ts";
import { reportCrashes } from "../../src/lab/crash_report.ts";

Deno.test("reportCrashes() posts an uncaught error as a lab-error and keeps it from killing the scope", () => {
  const scope = new EventTarget();
  const posted: LabMessage[] = [];
  reportCrashes(scope, (m) => posted.push(m));
  const event = new ErrorEvent("error", { error: new Error("boom"), cancelable: true });
  scope.dispatchEvent(event);
  assert(event.defaultPrevented, "the error is handled, not fatal");
  assertEquals(posted, [{ type: "lab-error", message: "boom" }]);
});

Deno.test("reportCrashes() posts an unhandled rejection as a lab-error", () => {
  const scope = new EventTarget();
  const posted: LabMessage[] = [];
  reportCrashes(scope, (m) => posted.push(m));
  const promise = Promise.reject("not an Error");
  promise.catch(() => {}); // this test's own promise must not reject unhandled
  const event = new PromiseRejectionEvent("unhandledrejection", {
    promise,
    reason: "not an Error",
    cancelable: true,
  });
  scope.dispatchEvent(event);
  assert(event.defaultPrevented);
  assertEquals(posted, [{ type: "lab-error", message: "not an Error" }]);
});

Deno.test("a crash inside a lab Worker reaches the UI as a lab-error and the Worker keeps serving", async () => {
  const worker = new Worker(new URL("./fixtures/crashing_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const received: unknown[] = [];
  let notify = () => {};
  worker.onmessage = (event) => {
    received.push(event.data);
    notify();
  };
  const next = async (): Promise<unknown> => {
    const deadline = performance.now() + 10_000;
    while (received.length === 0) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error("timed out waiting for the Worker");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return received.shift();
  };
  try {
    worker.postMessage("throw");
    assertEquals(await next(), { type: "lab-error", message: "thrown in the lab" });
    worker.postMessage("reject");
    assertEquals(await next(), { type: "lab-error", message: "rejected in the lab" });
    worker.postMessage("ping");
    assertEquals(await next(), "pong");
  } finally {
    worker.terminate();
  }
});
