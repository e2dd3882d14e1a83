/**
 * The embedded broker for the broker bench, as `deno task broker` runs it: a
 * process of its own (as RabbitMQ is), so the amqplib load in the bench's
 * process never shares a thread with the broker it measures.
 * WARREN_BENCH_BROKER_FLAGS adds Deno flags to it, e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` to profile the broker under the bench's load (the
 * profile is written when the bench stops it).
 */

export interface BenchBroker {
  url: string;
  pid: number;
  /** SIGTERM, then wait for it to exit. */
  stop(): Promise<void>;
}

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const START_TIMEOUT_MS = 20_000;

/** Starts the broker on free ports with a fresh data dir (removed by `stop`). */
export async function spawnBenchBroker(): Promise<BenchBroker> {
  const extra = (Deno.env.get("WARREN_BENCH_BROKER_FLAGS") ?? "").split(/\s+/).filter((s) => s);
  const dataDir = await Deno.makeTempDir({ prefix: "warren-bench-broker-" });
  const ports = ["--port", "0", "--http-port", "0", "--data-dir", dataDir];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", ...extra, MAIN, "broker", ...ports],
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), START_TIMEOUT_MS);
  try {
    for (;;) {
      const { value, done } = await lines.read();
      if (done) {
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
        throw new Error(`embedded broker exited before listening: ${seen.trim()}`);
      }
      seen += value;
      const m = /listening on amqp:\/\/(\S+):(\d+)/.exec(seen);
      if (m) {
        // Keep reading so the broker never blocks on a full stdout pipe.
        (async () => {
          while (!(await lines.read()).done) { /* drop */ }
        })().catch(() => {});
        return {
          url: `amqp://guest:guest@${m[1]}:${m[2]}`,
          pid: child.pid,
          async stop() {
            try {
              child.kill("SIGTERM");
            } catch {
              // already gone
            }
            await child.status;
            await Deno.remove(dataDir, { recursive: true });
          },
        };
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
