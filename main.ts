/**
 * warren's single entry point: every `deno task` is a subcommand of this file.
 *
 * Subcommands are loaded lazily so that `deno task demo` does not pay for the
 * dashboard and `--help` answers instantly. Bad input never produces a stack
 * trace: a `UsageError` becomes one line plus a hint and exit code 2.
 */
import { helpHint, UsageError } from "./src/cli/usage.ts";

type Runner = (args: string[]) => Promise<number>;

interface Subcommand {
  summary: string;
  load: () => Promise<Runner>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  start: {
    summary: "the live dashboard (default)",
    load: async () => (await import("./src/app/cli.ts")).runStartCli,
  },
  broker: {
    summary: "the embedded AMQP 0-9-1 broker as a standalone server",
    load: async () => (await import("./src/broker/cli.ts")).runBrokerCli,
  },
  demo: {
    summary: "a lesson demo, headless (baozi, greenlet, gevent, sync-async, fetch, blocking)",
    load: async () => (await import("./src/lab/demos/cli.ts")).runDemoCli,
  },
  "echo-server": {
    summary: "an echo server (blocking, nonblocking, multiplexed, async) for the sockets lab",
    load: async () => (await import("./src/lab/sockets/cli.ts")).runEchoServerCli,
  },
  bench: {
    summary: "benchmarks, as a table with ratios to a reference measured in the same run",
    load: async () => (await import("./bench/cli.ts")).runBenchCli,
  },
};

export function mainUsage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((name) => name.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, { summary }]) =>
    `  ${name.padEnd(width)}  ${summary}`
  );
  return [
    "warren — a terminal lab for coroutines, async IO and RabbitMQ",
    "",
    "usage: deno run -A main.ts <command> [flags]     (or: deno task <command> [flags])",
    "",
    "commands:",
    ...lines,
    "",
    "Run 'deno run -A main.ts <command> --help' for a command's flags.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) return await dispatch("start", []);
  if (first === "--help" || first === "-h" || first === "help") {
    console.log(mainUsage());
    return 0;
  }
  // `main.ts --snapshot` and friends mean the dashboard.
  if (first.startsWith("-")) return await dispatch("start", argv);
  return await dispatch(first, rest);
}

async function dispatch(name: string, args: string[]): Promise<number> {
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) {
    console.error(`warren: unknown command '${name}'`);
    console.error(`run 'deno run -A main.ts --help' for the list of commands`);
    return 2;
  }
  try {
    const run = await subcommand.load();
    return await run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`warren ${error.message}`);
      console.error(error.hint ?? helpHint(name));
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
