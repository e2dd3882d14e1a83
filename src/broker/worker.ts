/**
 * The embedded broker's Worker entry, started by the dashboard (`start
 * --broker embedded`, or `auto` when nothing answers on 5672). The broker
 * runs here, off the UI thread, so a burst of traffic never delays a frame;
 * the dashboard reaches it only through AMQP and the management API, as it
 * reaches RabbitMQ. This file is the only broker module the app names (as a
 * Worker URL, never an import: nothing is shared but messages).
 */
import { errorMessage } from "../util/error_message.ts";
import { resolveDataDir } from "./data_dir.ts";
import { type BrokerOptions, ListenError, type RunningBroker, startBroker } from "./server.ts";
import type { BrokerWorkerCommand, BrokerWorkerMessage } from "./worker_protocol.ts";

// deno-lint-ignore no-explicit-any
const scope = self as any;
let running: RunningBroker | undefined;

function post(message: BrokerWorkerMessage): void {
  scope.postMessage(message);
}

/** The wanted ports, each falling back to a free one when taken (another broker, a test). */
async function listen(
  hostname: string,
  port: number,
  httpPort: number,
  dataDir: string | undefined,
): Promise<RunningBroker> {
  // Log lines would go to the terminal the dashboard draws on: dropped here.
  const base: BrokerOptions = { hostname, log: () => {}, dataDir: resolveDataDir(dataDir) };
  for (const [p, h] of [[port, httpPort], [0, httpPort], [port, 0], [0, 0]] as const) {
    try {
      return await startBroker({ ...base, port: p, httpPort: h });
    } catch (e) {
      if (!(e instanceof ListenError && e.inUse)) throw e;
    }
  }
  return await startBroker({ ...base, port: 0, httpPort: 0 });
}

scope.onmessage = async (event: MessageEvent<BrokerWorkerCommand>) => {
  const command = event.data;
  try {
    if (command.type === "start" && !running) {
      running = await listen(command.hostname, command.port, command.httpPort, command.dataDir);
      post({
        type: "ready",
        hostname: running.hostname,
        port: running.port,
        httpPort: running.management?.port ?? 0,
      });
    } else if (command.type === "stop") {
      await running?.close();
      running = undefined;
      post({ type: "stopped" });
    }
  } catch (e) {
    post({ type: "failed", error: errorMessage(e) });
  }
};
