/**
 * `deno task echo-server --model MODEL [--port 8001] [--bind 127.0.0.1]
 * [--poller epoll|select]`: one echo server, standalone, printing a summary
 * line per second until SIGINT/SIGTERM, when it closes every socket and
 * exits 0. Any TCP client works (`nc 127.0.0.1 8001`).
 */
import { intFlag, parseFlags, UsageError } from "../../cli/usage.ts";
import { Hub } from "../hub.ts";
import { type PollerName, POLLERS } from "./poller.ts";
import { DEFAULT_BIND, DEFAULT_PORT, type ModelName, MODELS, ServerStartError } from "./server.ts";
import { startEchoServer } from "./start_server.ts";
import { RateMeter, summaryLine } from "./summary.ts";

/** Where the CLI writes (tests capture it). */
export interface EchoCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const STD_IO: EchoCliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

const USAGE =
  `usage: deno task echo-server --model MODEL [--port ${DEFAULT_PORT}] [--bind ${DEFAULT_BIND}] [--poller epoll|select]

An echo server in one of the lesson's IO models; prints connections,
round trips/s and bytes/s every second; Ctrl-C (or SIGTERM) stops it.
  --model MODEL      blocking     one connection at a time, blocking calls (its own Worker)
                     nonblocking  O_NONBLOCK sockets polled in a loop (EAGAIN, CPU burnt)
                     multiplexed  one loop on epoll_wait (or select) dispatching to handlers
                     async        one coroutine per connection on Deno's sockets
  --port N           TCP port (default ${DEFAULT_PORT}; 0 = any free port)
  --bind ADDR        IPv4 address to listen on (default ${DEFAULT_BIND})
  --poller NAME      multiplexed only: epoll (default) or select (at most 1024 fds)

Try it: nc 127.0.0.1 ${DEFAULT_PORT}`;

export interface EchoServerArgs {
  model: ModelName;
  port: number;
  bind: string;
  poller: PollerName;
}

export function parseEchoServerArgs(args: string[]): EchoServerArgs | "help" {
  const { values } = parseFlags("echo-server", args, {
    model: { type: "string" },
    port: { type: "string" },
    bind: { type: "string" },
    poller: { type: "string" },
  });
  if (values.help === true) return "help";
  const model = values.model;
  if (model === undefined) {
    throw new UsageError(`echo-server: --model is required (${MODELS.join(", ")})`);
  }
  if (!MODELS.includes(model as ModelName)) {
    throw new UsageError(
      `echo-server: --model must be one of ${MODELS.join(", ")}, got '${model}'`,
    );
  }
  const poller = values.poller ?? "epoll";
  if (!POLLERS.includes(poller as PollerName)) {
    throw new UsageError(`echo-server: --poller must be epoll or select, got '${poller}'`);
  }
  if (values.poller !== undefined && model !== "multiplexed") {
    throw new UsageError(`echo-server: --poller applies to --model multiplexed only`);
  }
  const bind = String(values.bind ?? DEFAULT_BIND);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(bind) && bind !== "localhost") {
    throw new UsageError(`echo-server: --bind must be an IPv4 address, got '${bind}'`);
  }
  return {
    model: model as ModelName,
    port: intFlag("echo-server", "port", values.port, {
      min: 0,
      max: 65535,
      fallback: DEFAULT_PORT,
    }),
    bind,
    poller: poller as PollerName,
  };
}

export async function runEchoServerCli(args: string[], io: EchoCliIo = STD_IO): Promise<number> {
  const parsed = parseEchoServerArgs(args);
  if (parsed === "help") {
    io.out(USAGE);
    return 0;
  }
  const hub = new Hub();
  let server;
  try {
    server = await startEchoServer(hub, { ...parsed, onNotice: (line) => io.err(line) });
  } catch (error) {
    hub.close();
    if (error instanceof ServerStartError) {
      io.err(`echo-server: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const poller = server.poller === null ? "" : ` (${server.poller})`;
  io.out(
    `echo-server ${server.model}${poller} listening on ${server.bind}:${server.port}; ` +
      `Ctrl-C stops it`,
  );
  const meter = new RateMeter(server);
  const ticker = setInterval(() => io.out(summaryLine(meter.sample())), 1000);
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => stop = resolve);
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  try {
    await stopped;
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
    clearInterval(ticker);
    await server.stop();
    hub.close();
  }
  io.out(`stopped: ${server.ring.total(0)} connections served, every socket closed`);
  return 0;
}
