/**
 * `deno task broker [--port 5672] [--http-port 15672] [--bind 127.0.0.1]
 * [--data-dir DIR] [limits]`: the embedded broker and its management HTTP
 * API as a standalone server, until SIGINT/SIGTERM, keeping durable
 * topology and persistent messages in the data dir (store.ts).
 */
import { bytesFlag, intFlag, parseFlags } from "../cli/usage.ts";
import { errorMessage } from "../util/error_message.ts";
import { describeConnectionLimit } from "./fd_limit.ts";
import { describeMemoryLimit } from "./memory_limit.ts";
import { ListenError, startBroker } from "./server.ts";
import { resolveDataDir } from "./data_dir.ts";
import { StoreError } from "./store_schema.ts";
import { ADMIN_COMMANDS, ADMIN_USAGE, runAdminCli } from "./users_cli.ts";

/** Below this a broker could not even hold itself (it uses about 50 MB idle). */
const MIN_MEMORY_LIMIT = 1_000_000;

const USAGE = `usage: deno task broker [--port 5672] [--http-port 15672] [--bind 127.0.0.1]
                        [--data-dir DIR] [limits]
       deno task broker users|vhosts|permissions ...   (below)

Runs the embedded AMQP 0-9-1 broker (user guest/guest from loopback, vhost /)
until SIGINT or SIGTERM, then closes client connections with 320 and exits 0.
Log lines (refused connections and logins, timeouts, accept failures) go to
stderr; passwords never do.

flags:
  --port N               AMQP port (default 5672; 0 = any free port)
  --http-port N          management HTTP API port, RabbitMQ's /api (default 15672;
                         0 = any free port)
  --bind ADDR            address to listen on (default 127.0.0.1)
  --data-dir DIR         where users, vhosts, permissions, durable exchanges,
                         queues, bindings and persistent messages in durable
                         queues are kept across restarts
                         (default $XDG_STATE_HOME/warren/broker, else
                         ~/.local/state/warren/broker; 'none': keep nothing).
                         One broker per dir: a second one exits with an error
  --max-connections N    refuse connection.open (530, as RabbitMQ) beyond N open
                         connections (default: from 'ulimit -n', minus a reserve,
                         where sockets are closed at accept; the start-up line says)
  --write-timeout S      close a client that has read nothing for S seconds while
                         output waits; its deliveries are requeued (default 30;
                         0 = never)
  --body-timeout S       close a connection whose message body is still incomplete
                         S seconds after its header (default 60)
  --memory-limit SIZE    block publishers (connection.blocked) while the process
                         uses more than SIZE: 150MB, 2GB, 512MiB or bytes (default
                         40% of RAM; at most 60% of V8's heap limit either way;
                         the start-up line says which applies)
  -h, --help             this text

${ADMIN_USAGE}`;

export interface BrokerCliOptions {
  /** Resolves when the server should stop (tests); default: SIGINT or SIGTERM. */
  stop?: Promise<unknown>;
  /** Where the "listening on" and connection-limit lines go (default console.log). */
  print?: (line: string) => void;
  /** Where the broker's log lines go (default stderr). */
  log?: (line: string) => void;
}

export async function runBrokerCli(
  args: string[],
  cliOpts: BrokerCliOptions = {},
): Promise<number> {
  if (ADMIN_COMMANDS.includes(args[0] ?? "")) return await runAdminCli(args);
  const { values } = parseFlags("broker", args, {
    port: { type: "string" },
    "http-port": { type: "string" },
    bind: { type: "string" },
    "max-connections": { type: "string" },
    "write-timeout": { type: "string" },
    "body-timeout": { type: "string" },
    "memory-limit": { type: "string" },
    "data-dir": { type: "string" },
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
  const rawMax = values["max-connections"];
  const maxConnections = rawMax === undefined
    ? undefined
    : intFlag("broker", "max-connections", rawMax, { min: 1, max: 1_000_000, fallback: 0 });
  const seconds = (name: string, fallback: number, min: number) =>
    intFlag("broker", name, values[name], { min, max: 86_400, fallback }) * 1000;
  const writeTimeoutMs = seconds("write-timeout", 30, 0);
  const bodyTimeoutMs = seconds("body-timeout", 60, 1);
  const memoryLimit = bytesFlag("broker", "memory-limit", values["memory-limit"], {
    min: MIN_MEMORY_LIMIT,
  });
  const print = cliOpts.print ?? ((line: string) => console.log(line));
  const log = cliOpts.log ?? ((line: string) => console.error(`broker: ${line}`));
  const rawDir = values["data-dir"];
  let dataDir: string | undefined;
  try {
    dataDir = resolveDataDir(typeof rawDir === "string" ? rawDir : undefined);
  } catch (e) {
    console.error(`broker: ${errorMessage(e)}`);
    return 1;
  }

  let broker;
  try {
    broker = await startBroker({
      port,
      httpPort,
      hostname,
      maxConnections,
      writeTimeoutMs,
      bodyTimeoutMs,
      memoryHighWatermark: memoryLimit,
      log,
      dataDir,
    });
  } catch (e) {
    if (e instanceof StoreError) {
      console.error(`broker: ${e.message}`);
      return 1;
    }
    const which = e instanceof ListenError ? e.port : port;
    const why = e instanceof ListenError && e.inUse
      ? `port ${which} on ${hostname} is already in use`
      : errorMessage(e);
    console.error(`broker: cannot listen on ${hostname}:${which}: ${why}`);
    return 1;
  }
  const shownHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  print(`listening on amqp://${shownHost}:${broker.port}`);
  print(`management API on http://${shownHost}:${broker.management!.port}`);
  print(describeConnectionLimit(broker.maxConnections, broker.fileLimit, rawMax !== undefined));
  print(describeMemoryLimit(broker.memoryLimit, broker.core.memory.usage));
  print(
    broker.storeFile
      ? `data in ${broker.storeFile}`
      : "no data dir (--data-dir none): nothing survives a restart",
  );

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
