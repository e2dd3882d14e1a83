/**
 * `deno task start`: flags of the dashboard, then either one snapshot frame
 * as plain text or the live dashboard on the terminal.
 */
import { intFlag, parseFlags, UsageError } from "../cli/usage.ts";
import { DEMOS, findDemo } from "../lab/demos/registry.ts";
import type { ColorFlag } from "../tui/style.ts";
import { findPanel, PANEL_IDS, type PanelId } from "./panels.ts";
import type { StartOptions } from "./start_options.ts";
import { parseBrokerFlag, redactUrl } from "./broker_select.ts";

const COLOR_FLAGS: readonly ColorFlag[] = ["auto", "never", "always", "16", "256", "truecolor"];

/** The latest `--at`: the demos last seconds; an hour is a typo. */
const MAX_AT_S = 3600;
/** The slowest a worker is asked to be: seconds per `.`. */
const MAX_WORK_SCALE = 60;

export const START_USAGE = `usage: deno task start [flags]

The live dashboard. Keys: ? help, : commands, / filter, Tab or 1-4 panels, q quits.

flags:
  --panel NAME      panel to open on: ${PANEL_IDS.join(", ")} (default overview)
  --fps N           most frames drawn per second, 1-60 (default 15)
  --color MODE      auto, never, always, 16, 256 or truecolor (default auto;
                    NO_COLOR in the environment means never)
  --ascii           ASCII borders and symbols (automatic when the locale is not UTF-8)
  --snapshot        print one frame as plain text and exit (for scripts and docs)
  --size WxH        snapshot size (default 80x24; the live view follows the terminal)
  --demo NAME       with --snapshot: show a demo run on the virtual clock
                    (${DEMOS.map((d) => d.name).join(", ")});
                    opens on coroutines unless --panel says otherwise
  --at SECONDS      with --demo: the frame at this hub time, 0-${MAX_AT_S} (default 1);
                    exact and instant: the same command prints the same frame
  --broker WHICH    auto, embedded or an amqp:// URL (default: env AMQP_URL, else
                    auto: a broker answering on 127.0.0.1:5672 within 500 ms, else
                    the embedded broker, on 5672/15672 if free, else free ports)
  --mgmt-url URL    the management HTTP API (default: the AMQP host on port 15672;
                    the embedded broker's own port)
  --embedded-ports AMQP,HTTP
                    the embedded broker's ports (default 5672,15672; a port
                    taken, or 0, means any free one)
  --embedded-data-dir DIR
                    where the embedded broker keeps durable queues and persistent
                    messages (default $XDG_STATE_HOME/warren/broker, else
                    ~/.local/state/warren/broker; 'none': keep nothing)
  --work-scale N    a worker's simulated work: N seconds per '.' in a message's
                    body (default 1, as the lesson; 0 to ${MAX_WORK_SCALE}, e.g. 0.1)
  --read-only       watch a broker safely: refuses everything that changes it
                    (:purge, :delete, :publish, :subscribe, :worker, :rpc,
                    :scenario); the status bar says read-only
  -h, --help        this text`;

export function parseStartArgs(
  args: string[],
  env: { AMQP_URL?: string } = {},
): StartOptions | "help" {
  const { values } = parseFlags("start", args, {
    snapshot: { type: "boolean" },
    size: { type: "string" },
    panel: { type: "string" },
    fps: { type: "string" },
    color: { type: "string" },
    ascii: { type: "boolean" },
    demo: { type: "string" },
    at: { type: "string" },
    broker: { type: "string" },
    "mgmt-url": { type: "string" },
    "embedded-ports": { type: "string" },
    "embedded-data-dir": { type: "string" },
    "work-scale": { type: "string" },
    "read-only": { type: "boolean" },
  });
  if (values.help) return "help";
  const color = (values.color ?? "auto") as ColorFlag;
  if (!COLOR_FLAGS.includes(color)) {
    throw new UsageError(
      `start: --color must be one of ${COLOR_FLAGS.join(", ")}, got '${values.color}'`,
    );
  }
  const demo = parseDemo(values.demo, values.at, values.snapshot === true);
  let panel: PanelId = demo ? "coroutines" : "overview";
  if (values.panel !== undefined) {
    const found = findPanel(String(values.panel));
    if (!found) {
      throw new UsageError(
        `start: no panel '${values.panel}' (panels: ${PANEL_IDS.join(", ")})`,
      );
    }
    panel = found;
  }
  return {
    snapshot: values.snapshot === true,
    size: values.size === undefined ? undefined : parseSize(String(values.size)),
    panel,
    fps: intFlag("start", "fps", values.fps, { min: 1, max: 60, fallback: 15 }),
    color,
    ascii: values.ascii === true,
    ...(demo ? { demo } : {}),
    broker: parseBroker(values.broker, env.AMQP_URL),
    ...(values["mgmt-url"] === undefined ? {} : { mgmtUrl: parseMgmtUrl(values["mgmt-url"]) }),
    workScale: parseWorkScale(values["work-scale"]),
    ...(values["embedded-ports"] === undefined
      ? {}
      : { embeddedPorts: parsePorts(String(values["embedded-ports"])) }),
    ...(values["embedded-data-dir"] === undefined
      ? {}
      : { embeddedDataDir: String(values["embedded-data-dir"]) }),
    ...(values["read-only"] === true ? { readOnly: true } : {}),
  };
}

/** `--work-scale N`: seconds of simulated work per `.`, decimals allowed; default 1. */
function parseWorkScale(value: unknown): number {
  if (value === undefined) return 1;
  const text = String(value);
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= MAX_WORK_SCALE)) {
    throw new UsageError(
      `start: --work-scale must be seconds per '.' from 0 to ${MAX_WORK_SCALE} (like 0.1), ` +
        `got '${text}'`,
    );
  }
  return n;
}

/** `--embedded-ports 5672,15672` -> both ports (0: any free one). */
function parsePorts(text: string): { port: number; httpPort: number } {
  const match = /^(\d{1,5}),(\d{1,5})$/.exec(text);
  const [port, httpPort] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(port <= 65535 && httpPort <= 65535)) {
    throw new UsageError(
      `start: --embedded-ports must be AMQP,HTTP like 5672,15672, got '${text}'`,
    );
  }
  return { port, httpPort };
}

/** `--broker`, else env AMQP_URL, else auto; a bad value never echoes its password. */
function parseBroker(flag: unknown, envUrl: string | undefined): StartOptions["broker"] {
  const text = flag === undefined ? (envUrl || undefined) : String(flag);
  const parsed = parseBrokerFlag(text);
  if (parsed instanceof Error) {
    const from = flag === undefined ? "AMQP_URL" : "--broker";
    throw new UsageError(`start: ${from}: ${parsed.message}`);
  }
  return parsed;
}

function parseMgmtUrl(value: unknown): string {
  const text = String(value);
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return text;
  } catch { /* said below */ }
  throw new UsageError(`start: --mgmt-url must be an http(s):// URL, got '${redactUrl(text)}'`);
}

/** `--demo NAME [--at SECONDS]`, which only a snapshot takes; undefined without `--demo`. */
function parseDemo(
  name: unknown,
  at: unknown,
  snapshot: boolean,
): StartOptions["demo"] | undefined {
  if (name === undefined) {
    if (at !== undefined) throw new UsageError("start: --at needs --demo NAME (and --snapshot)");
    return undefined;
  }
  if (!snapshot) {
    throw new UsageError(
      "start: --demo needs --snapshot (in the live dashboard, press d or type :demo NAME)",
    );
  }
  const demo = findDemo(String(name));
  if (!demo) {
    throw new UsageError(
      `start: no demo '${name}' (demos: ${DEMOS.map((d) => d.name).join(", ")})`,
    );
  }
  const text = at === undefined ? "1" : String(at);
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= 0 && seconds <= MAX_AT_S)) {
    throw new UsageError(`start: --at must be seconds from 0 to ${MAX_AT_S}, got '${text}'`);
  }
  return { name: demo.name, atMs: Math.round(seconds * 1000) };
}

/** The largest snapshot side: a frame larger than any real terminal is a typo. */
const MAX_SIZE = 1000;

/** "80x24" -> { width: 80, height: 24 }; anything else is a UsageError. */
export function parseSize(text: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match) throw new UsageError(`start: --size must be WIDTHxHEIGHT like 80x24, got '${text}'`);
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (width < 1 || height < 1 || width > MAX_SIZE || height > MAX_SIZE) {
    throw new UsageError(
      `start: --size must be from 1x1 to ${MAX_SIZE}x${MAX_SIZE}, got '${text}'`,
    );
  }
  return { width, height };
}

export async function runStartCli(args: string[]): Promise<number> {
  const options = parseStartArgs(args, { AMQP_URL: Deno.env.get("AMQP_URL") });
  if (options === "help") {
    console.log(START_USAGE);
    return 0;
  }
  if (options.snapshot && options.demo) {
    const { demoSnapshotText } = await import("./demo_snapshot.ts");
    console.log(await demoSnapshotText(options, options.demo));
    return 0;
  }
  if (options.snapshot) {
    const { snapshotText } = await import("./snapshot.ts");
    console.log(snapshotText(options));
    return 0;
  }
  const { runDashboard } = await import("./run.ts");
  return await runDashboard(options);
}
