/**
 * `deno task broker [--port 5672] [--bind 127.0.0.1]`: the embedded broker as
 * a standalone server, until SIGINT/SIGTERM. (The management API and the
 * durable store get their flags when they exist: a flag that is accepted and
 * ignored would tell a teacher their data is safe when it is not.)
 */
import { intFlag, parseFlags } from "../cli/usage.ts";
import { errorMessage } from "../util/error_message.ts";
import { startBroker } from "./server.ts";

const USAGE = `usage: deno task broker [--port 5672] [--bind 127.0.0.1]

Runs the embedded AMQP 0-9-1 broker (user guest/guest from loopback, vhost /)
until SIGINT or SIGTERM, then closes client connections with 320 and exits 0.

flags:
  --port N        AMQP port (default 5672; 0 = any free port)
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
    bind: { type: "string" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = intFlag("broker", "port", values.port, { min: 0, max: 65535, fallback: 5672 });
  const hostname = typeof values.bind === "string" ? values.bind : "127.0.0.1";
  const print = cliOpts.print ?? ((line: string) => console.log(line));

  let broker;
  try {
    broker = await startBroker({ port, hostname });
  } catch (e) {
    const why = (e as { code?: string }).code === "EADDRINUSE"
      ? `port ${port} on ${hostname} is already in use`
      : errorMessage(e);
    console.error(`broker: cannot listen on ${hostname}:${port}: ${why}`);
    return 1;
  }
  const shownHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  print(`listening on amqp://${shownHost}:${broker.port}`);

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
