/**
 * `deno task demo NAME [--trace] [--speed X]`: runs a lesson demo headless,
 * in real time, printing what the lesson's program prints.
 */
import { parseFlags, UsageError } from "../../cli/usage.ts";
import { type Clock, RealClock } from "../clock.ts";
import { Hub } from "../hub.ts";
import { runDemo } from "./demo.ts";
import { DEMOS, findDemo } from "./registry.ts";
import { errorMessage } from "../../util/error_message.ts";

/** Where the CLI writes (stdout/stderr by default; tests capture it). */
export interface DemoCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const encoder = new TextEncoder();
const STD_IO: DemoCliIo = {
  out: (line) => writeAll(Deno.stdout, line),
  err: (line) => writeAll(Deno.stderr, line),
};

const closed = new Set<unknown>();

function writeAll(file: { writeSync(p: Uint8Array): number }, line: string): void {
  if (closed.has(file)) return;
  let bytes = encoder.encode(line + "\n");
  try {
    while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
  } catch (error) {
    // `deno task demo baozi | head`: the reader left; finish quietly
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
    closed.add(file);
  }
}

const USAGE = `usage: deno task demo NAME [--trace] [--speed X]

Runs one of the lesson's coroutine programs on the hub, in real time.
  --trace      interleave scheduling events (switch a -> b, sleep, wake) marked with '·'
  --speed X    run timers X times as fast (0.1 to 100; default 1); the times
               a demo prints are hub time (X times wall time), not wall time

demos:`;

function demoList(): string[] {
  const width = Math.max(...DEMOS.map((d) => d.name.length));
  return DEMOS.map((d) => `  ${d.name.padEnd(width)}  ${d.description}`);
}

/**
 * Runs the demo CLI. `clock` replaces the real clock (tests pass a
 * VirtualClock to compare the README's example trace exactly).
 */
export async function runDemoCli(
  args: string[],
  io: DemoCliIo = STD_IO,
  clock?: Clock,
): Promise<number> {
  const { values, positionals } = parseFlags("demo", args, {
    trace: { type: "boolean" },
    speed: { type: "string" },
  }, { allowPositionals: true });
  if (values.help === true) {
    io.out(USAGE);
    for (const line of demoList()) io.out(line);
    return 0;
  }
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0.1 || speed > 100) {
    throw new UsageError(`demo: --speed must be a number from 0.1 to 100, got '${values.speed}'`);
  }
  if (positionals.length > 1) {
    throw new UsageError(`demo: expected one demo name, got ${positionals.length}`);
  }
  const name = positionals[0];
  const demo = name === undefined ? undefined : findDemo(name);
  if (demo === undefined) {
    io.err(name === undefined ? "demo: which demo? one of:" : `demo: no demo '${name}'; one of:`);
    for (const line of demoList()) io.err(line);
    return 2;
  }
  const hub = new Hub({
    clock: clock ?? new RealClock({ speed }),
    trace: values.trace === true ? (line) => io.out(`  · ${line}`) : undefined,
  });
  try {
    const main = await runDemo(demo, { hub, print: io.out });
    if (main.state === "failed") {
      const error = main.error;
      io.err(`demo ${demo.name} failed: ${errorMessage(error)}`);
      return 1;
    }
    return 0;
  } finally {
    hub.close();
  }
}
