/**
 * The broker as its own process (`main.ts broker --port 0 ...`), for attacks
 * that would take the test runner down with it: a low `ulimit -n`, a small
 * V8 heap. Also the well-behaved client every attack ends with: connect,
 * publish, consume the message back, within a deadline.
 */
import { openClient } from "./amqplib.ts";
import { Buffer } from "./amqplib.ts";
import { withTimeout } from "./timing.ts";

export interface BrokerProcess {
  port: number;
  /** The broker's own pid (`sh -c 'exec ...'` becomes the broker). */
  pid: number;
  url: string;
  /** The start-up lines (stdout). */
  readonly stdout: string;
  /** The broker's log so far (stderr). */
  readonly stderr: string;
  /** False once the process has exited. */
  readonly alive: boolean;
  /** SIGTERM, then the exit status. */
  stop(): Promise<Deno.CommandStatus>;
}

export interface SpawnOptions {
  /** `ulimit -n` for the broker process. */
  fileLimit?: number;
  /** V8's old-space limit in MB (a small heap makes an out-of-memory fast). */
  heapMb?: number;
}

const MAIN = new URL("../../../main.ts", import.meta.url).pathname;

/**
 * Starts `main.ts broker --port 0 --http-port 0 ...args` and waits for its
 * start-up lines (to the data dir's); with no `--data-dir` in `args`, `--data-dir none` (a
 * test never writes into the user's state directory).
 */
export async function spawnBroker(
  args: string[],
  opts: SpawnOptions = {},
): Promise<BrokerProcess> {
  const deno = [Deno.execPath(), "run", "-A"];
  if (opts.heapMb) deno.push(`--v8-flags=--max-old-space-size=${opts.heapMb}`);
  const data = args.includes("--data-dir") ? [] : ["--data-dir", "none"];
  const command = [...deno, MAIN, "broker", "--port", "0", "--http-port", "0", ...data, ...args]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const ulimit = opts.fileLimit ? `ulimit -n ${opts.fileLimit}; ` : "";
  const child = new Deno.Command("sh", {
    args: ["-c", `${ulimit}exec ${command}`],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let stdout = "", stderr = "", alive = true;
  const status = child.status.then((s) => {
    alive = false;
    return s;
  });
  const pump = async (stream: ReadableStream<Uint8Array>, add: (s: string) => void) => {
    for await (const s of stream.pipeThrough(new TextDecoderStream())) add(s);
  };
  pump(child.stdout, (s) => stdout += s);
  pump(child.stderr, (s) => stderr += s);
  const port = await withTimeout(
    (async () => {
      for (;;) {
        const m = /listening on amqp:\/\/[^\s]+:(\d+)/.exec(stdout);
        // the start-up lines end with where the data is kept (they can come in two reads)
        if (m && /^(data in |no data dir)/m.test(stdout)) return Number(m[1]);
        if (!alive) throw new Error(`broker exited: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })(),
    15_000,
    "broker start",
  );
  return {
    port,
    pid: child.pid,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get alive() {
      return alive;
    },
    async stop() {
      if (alive) child.kill("SIGTERM");
      return await status;
    },
  };
}

/** A well-behaved client: connect, publish one message, consume it back (then close). */
export async function roundTrip(url: string): Promise<void> {
  const c = await openClient(url, {});
  try {
    const ch = await c.channel();
    const { queue } = await ch.assertQueue("", { exclusive: true });
    const got = new Promise<string>((resolve) => {
      ch.consume(queue, (m) => m && resolve(m.content.toString()), { noAck: true });
    });
    ch.sendToQueue(queue, Buffer.from("still here"));
    if (await got !== "still here") throw new Error("round trip: wrong body");
  } finally {
    await c.close();
  }
}

/** The round trip, failing unless it completes within `ms` (1 s: what the issue promises). */
export function roundTripWithin(url: string, ms = 1000): Promise<void> {
  return withTimeout(roundTrip(url), ms, "a well-behaved client's round trip");
}
