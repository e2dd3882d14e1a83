/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * Entry point of the `lab` Worker: the hub and everything on it run here, so
 * heavy load never freezes the UI thread. Start it with
 * `new Worker(new URL("../lab/worker.ts", import.meta.url).href, { type: "module" })`;
 * it posts `hello`, then snapshots (see src/app/protocol.ts), and takes
 * `LabCommand`s. `shutdown` stops the hub and closes the Worker.
 */
import type { LabCommand } from "../app/protocol.ts";
import { LabService, MIN_INTERVAL_MS } from "./lab_service.ts";
import { errorMessage } from "../util/error_message.ts";

const service = new LabService({ post: (message) => self.postMessage(message) });
const ticker = setInterval(() => service.tick(), MIN_INTERVAL_MS);

self.onmessage = (event: MessageEvent<LabCommand>) => {
  const command = event.data;
  service.handle(command);
  if (command?.type === "shutdown") {
    clearInterval(ticker);
    self.close();
  } else service.tick();
};

// A bug in the lab must not print over the dashboard or kill the Worker:
// report it to the UI as a failed reply and keep serving.
function reportCrash(error: unknown): void {
  const message = errorMessage(error);
  self.postMessage({
    type: "reply",
    command: "run-demo",
    ok: false,
    message: `lab error: ${message}`,
  });
}
self.addEventListener("error", (event) => {
  event.preventDefault();
  reportCrash(event.error ?? event.message);
});
self.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  reportCrash(event.reason);
});

service.hello();
