/**
 * The dashboard's state. Plain data: `update` derives the next state from
 * an event, `view` draws it; neither does I/O.
 */
import {
  commandEdit,
  type CommandLineState,
  commandLineState,
} from "../tui/widgets/command_line.ts";
import type { TextInputState } from "../tui/widgets/text_input.ts";
import { type CoroutinesState, initialCoroutines } from "./coroutines.ts";
import type { PanelId } from "./panels.ts";
import type { LabCommand } from "../lab/protocol.ts";
import { initialSockets, type SocketsState } from "./sockets.ts";
import { PANEL_IDS } from "./panels.ts";
import type { BrokerStatus } from "./broker_status.ts";
import { initialRabbit, type RabbitAction, type RabbitState } from "./rabbit.ts";
import { initialMq, type MqState } from "./mq.ts";
import type { ScenarioMenu } from "./scenario_menu.ts";

export type Overlay =
  | { kind: "none" }
  /** The `?` overlay, scrolled down by `offset` lines. */
  | { kind: "help"; offset: number }
  | { kind: "command"; line: CommandLineState }
  | { kind: "filter"; line: TextInputState; previous: string }
  /** The demo menu (`d`): index into the lab's demo list. */
  | { kind: "demo-menu"; selected: number }
  /** The scenario menu (`s` on the RabbitMQ panel). */
  | ScenarioMenu
  /** A yes/no question before a destructive command (or restarting the lab Worker). */
  | { kind: "confirm"; message: string; command: LabCommand | "restart-lab" | RabbitAction };

export interface StatusMessage {
  text: string;
  level: "info" | "error";
}

export interface AppState {
  panel: PanelId;
  overlay: Overlay;
  width: number;
  height: number;
  /** The `/` filter of each panel's focused table. */
  filters: Record<PanelId, string>;
  /** Command lines run this session, oldest first. */
  history: string[];
  message?: StatusMessage;
  quit: boolean;
  /** The lab Worker: not started (snapshots, tests), running, or failed with a reason. */
  lab: { status: "off" | "running" } | { status: "failed"; error: string };
  coroutines: CoroutinesState;
  sockets: SocketsState;
  /** The RabbitMQ panel: the management API's latest reading and the tables' state. */
  rabbit: RabbitState;
  /** The RabbitMQ actors the lab runs (publishers, subscribers, workers, RPC). */
  mq: MqState;
  /** Commands for the lab Worker, sent and cleared by the run loop. */
  outbox: LabCommand[];
  /**
   * Asks the run loop to terminate the lab Worker and start a fresh one
   * (before it sends the outbox); the run loop clears it.
   */
  restartLab: boolean;
  /** `--read-only`: every action that changes the broker is refused (`read_only.ts`). */
  readOnly: boolean;
  /** The broker the live dashboard talks to; none in snapshots and tests that start none. */
  broker?: BrokerStatus;
}

export const MIN_WIDTH = 80;
export const MIN_HEIGHT = 22;

export function initialState(
  { panel = "overview", width = 80, height = 24, readOnly = false }: {
    panel?: PanelId;
    width?: number;
    height?: number;
    readOnly?: boolean;
  } = {},
): AppState {
  return {
    panel,
    overlay: { kind: "none" },
    width,
    height,
    filters: Object.fromEntries(PANEL_IDS.map((id) => [id, ""])) as Record<PanelId, string>,
    history: [],
    quit: false,
    lab: { status: "off" },
    coroutines: initialCoroutines(),
    sockets: initialSockets(),
    rabbit: initialRabbit(),
    mq: initialMq(),
    outbox: [],
    restartLab: false,
    readOnly,
  };
}

export function isTooSmall(state: Pick<AppState, "width" | "height">): boolean {
  return state.width < MIN_WIDTH || state.height < MIN_HEIGHT;
}

/** Opens the `:` line with `text` written, for Enter to run (a key never does more than that). */
export function withCommandLine(state: AppState, text: string): AppState {
  const line = commandEdit(commandLineState(state.history), { type: "insert", text });
  return { ...state, message: undefined, overlay: { kind: "command", line } };
}
