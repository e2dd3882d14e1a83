/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * Entry point of the `lab` Worker: the hub and everything on it run here, so
 * heavy load never freezes the UI thread. Start it with
 * `new Worker(new URL("../lab/worker.ts", import.meta.url).href, { type: "module" })`;
 * it posts `hello`, then snapshots (see protocol.ts), and takes
 * `LabCommand`s. `shutdown` stops the hub and closes the Worker. A crash in
 * the lab reaches the UI as a `lab-error` message (crash_report.ts).
 */
import type { LabCommand } from "./protocol.ts";
import { LabService, MIN_INTERVAL_MS } from "./lab_service.ts";
import { reportCrashes } from "./crash_report.ts";

const service = new LabService({ post: (message) => self.postMessage(message) });
const ticker = setInterval(() => service.tick(), MIN_INTERVAL_MS);

self.onmessage = (event: MessageEvent<LabCommand>) => {
  const command = event.data;
  const replied = service.handle(command);
  if (command?.type === "shutdown") {
    clearInterval(ticker);
    // the sockets close first (an FFI socket outlives a closed Worker)
    replied.finally(() => self.close());
  } else service.tick();
};

reportCrashes(self, (message) => self.postMessage(message));

service.hello();
