/**
 * `deno task bench [NAME...] [--json]`: runs the registered suites and prints
 * a table (or one JSON object per line) with each figure's ratio to the
 * reference measured in the same run.
 */
import { parseFlags, UsageError } from "../src/cli/usage.ts";
import type { BenchResult, BenchSuite } from "./harness.ts";

/** Suites load lazily: a run of `bench tui` should not start a broker. */
const SUITES: Record<string, { description: string; load: () => Promise<BenchSuite> }> = {
  tui: {
    description: "frame diff speed and bytes written",
    load: async () => (await import("./tui_bench.ts")).tuiBench,
  },
  amqp: {
    description: "AMQP frame parse and encode",
    load: async () => (await import("./amqp_bench.ts")).amqpBench,
  },
  broker: {
    description: "end-to-end msg/s through the embedded broker (and RABBITMQ_URL)",
    load: async () => (await import("./broker_bench.ts")).brokerBench,
  },
  hub: {
    description: "coroutine hub switches, spawns and memory",
    load: async () => (await import("./hub_bench.ts")).hubBench,
  },
  sockets: {
    description: "echo round trips/s per IO model vs a plain Deno.listen echo server",
    load: async () => (await import("./sockets_bench.ts")).socketsBench,
  },
  ui: {
    description: "key to frame in the dashboard under 20k msg/s and a 100-client echo load",
    load: async () => (await import("./ui_bench.ts")).uiBench,
  },
};

const USAGE = `usage: deno task bench [NAME...] [--json]

Runs benchmarks and prints each figure with the reference measured in the
same run and their ratio. With no NAME, every suite runs.

suites:
${Object.entries(SUITES).map(([name, s]) => `  ${name.padEnd(8)}${s.description}`).join("\n")}

flags:
  --json      one JSON object per line: {"name","value","unit"[,"ref","ratio","goal"]}
  -h, --help  this text`;

export async function runBenchCli(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags("bench", args, { json: { type: "boolean" } }, {
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const names = positionals.length > 0 ? positionals : Object.keys(SUITES);
  for (const name of names) {
    if (!SUITES[name]) {
      throw new UsageError(
        `bench: unknown suite '${name}'`,
        `suites: ${Object.keys(SUITES).join(", ")}`,
      );
    }
  }
  const json = values.json === true;
  const rows: BenchResult[] = [];
  for (const name of names) {
    const suite = await SUITES[name]!.load();
    if (!json) console.error(`running ${name}: ${suite.description} ...`);
    await suite.run((result) => {
      const row = withRatio(result);
      rows.push(row);
      if (json) console.log(JSON.stringify(row));
    });
  }
  if (!json) console.log(formatTable(rows));
  return 0;
}

export function withRatio(result: BenchResult): BenchResult {
  if (result.ref === undefined || result.ref === 0) return result;
  // a suite may give its own ratio (the median of paired runs' ratios, say)
  return { ...result, ratio: result.ratio ?? result.value / result.ref };
}

/** A plain aligned table; numbers get 3 significant decimals at most. */
export function formatTable(rows: BenchResult[]): string {
  const header = ["name", "value", "unit", "ref", "ratio", "goal"];
  const body = rows.map((r) => [
    r.name,
    formatNumber(r.value),
    r.unit,
    r.ref === undefined ? "" : formatNumber(r.ref),
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x`,
    r.goal ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((
      c,
      i,
    ) => (i === 0 || i === 2 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString("en-US");
  if (Math.abs(n) >= 100) return n.toFixed(0);
  return n.toPrecision(3);
}
