/**
 * What `deno task start` was asked for, after its flags are parsed: shared by
 * the flag parser (cli.ts) and what it starts (run.ts, snapshot.ts), so
 * neither of those has to import the parser.
 */
import type { ColorFlag } from "../tui/style.ts";
import type { PanelId } from "./panels.ts";
import type { BrokerFlag } from "./broker_select.ts";

export interface StartOptions {
  snapshot: boolean;
  size?: { width: number; height: number };
  panel: PanelId;
  fps: number;
  color: ColorFlag;
  ascii: boolean;
  /**
   * `--snapshot --demo NAME --at SECONDS`: the frame shows this demo run on
   * the virtual clock up to `atMs` hub ms (both set, or neither).
   */
  demo?: { name: string; atMs: number };
  /** `--broker` (or env AMQP_URL): which broker the live dashboard talks to. */
  broker: BrokerFlag;
  /** `--mgmt-url`: the management API; default the AMQP host on 15672 (embedded: its own). */
  mgmtUrl?: string;
  /** `--work-scale`: a worker's one second per `.` in a body is this many seconds (default 1). */
  workScale: number;
  /** `--embedded-ports`: the ports the embedded broker asks for first (default 5672, 15672). */
  embeddedPorts?: { port: number; httpPort: number };
  /**
   * `--embedded-data-dir`: where the embedded broker keeps durable data
   * (absent: the state directory; "none": nothing is kept).
   */
  embeddedDataDir?: string;
  /** `--read-only`: nothing that changes the broker (purge, delete, publishing actors). */
  readOnly?: boolean;
}
