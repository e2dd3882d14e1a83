/**
 * `deno task broker [--port 5672] [--http-port 15672] [--bind 127.0.0.1]`: the
 * embedded broker and its management HTTP API as a standalone server, until
 * SIGINT/SIGTERM. (The durable store gets its flag when it exists: a flag
 * that is accepted and ignored would tell a teacher their data is safe when
 * it is not.)
 */
import { intFlag, parseFlags } from "../cli/usage.ts";
import { errorMessage } from "../util/error_message.ts";
import { startBroker } from "./server.ts";

const USAGE = `usage: deno task broker [--port 5672] [--http-port 15672] [--bind 127.0.0.1]

Runs the embedded AMQP 0-9-1 broker (user guest/guest from loopback, vhost /)
until SIGINT or SIGTERM, then closes client connections with 320 and exits 0.

flags:
  --port N        AMQP port (default 5672; 0 = any free port)
  --http-port N   management HTTP API port, RabbitMQ's /api (default 15672; 0 = any free port)
  --bind ADDR     address to listen on (default 127.0.0.1)
  -h, --help      this text`;

export interface BrokerCliOptions {
  /** Resolves when the server should stop (tests); default: SIGINT or SIGTERM. */
  stop?: Promise<unknown>;
  /** Where the "listening on" line goes (default console.log). */
  print?: (line: string) => void;
}

export async function runBrokerCli(
  args: string[],
  cliOpts: BrokerCliOptions = {},
): Promise<number> {
  const { values } = parseFlags("broker", args, {
    port: { type: "string" },
    "http-port": { type: "string" },
    bind: { type: "string" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = intFlag("broker", "port", values.port, { min: 0, max: 65535, fallback: 5672 });
  const httpPort = intFlag("broker", "http-port", values["http-port"], {
    min: 0,
    max: 65535,
    fallback: 15672,
  });
  const hostname = typeof values.bind === "string" ? values.bind : "127.0.0.1";
  const print = cliOpts.print ?? ((line: string) => console.log(line));

  let broker;
  try {
    broker = await startBroker({ port, hostname, httpPort });
  } catch (e) {
    // node:net says EADDRINUSE (AMQP port), Deno.serve AddrInUse (HTTP port).
    const http = e instanceof Deno.errors.AddrInUse;
    const busy = http || (e as { code?: string }).code === "EADDRINUSE";
    const which = http ? httpPort : port;
    const why = busy ? `port ${which} on ${hostname} is already in use` : errorMessage(e);
    console.error(`broker: cannot listen on ${hostname}:${which}: ${why}`);
    return 1;
  }
  const shownHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  print(`listening on amqp://${shownHost}:${broker.port}`);
  print(`management API on http://${shownHost}:${broker.management!.port}`);

  const stop = cliOpts.stop ?? new Promise<void>((resolve) => {
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    const handler = () => {
      for (const s of signals) Deno.removeSignalListener(s, handler);
      resolve();
    };
    for (const s of signals) Deno.addSignalListener(s, handler);
  });
  await stop;
  await broker.close();
  return 0;
}
