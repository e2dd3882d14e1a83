/**
 * The actors' part of `update`: the RabbitMQ panel's actor keys (the actors
 * view, the scenario menu, the keys that write a command), the actors'
 * commands sent to the lab, where `:stop NAME` goes, and the scenario menu's
 * keys. Keys that start or stop something write the command on the `:`
 * line, as on the Sockets panel, so a key never does more than its command.
 */
import { formatKey, type KeyEvent } from "../tui/keys.ts";
import { scrollDelta } from "../tui/widgets/scroll_text.ts";
import type { LabCommand, MqCommand } from "../lab/protocol.ts";
import type { CommandIntent } from "./command_spec.ts";
import { isActorName } from "./mq_commands.ts";
import { type AppState, withCommandLine } from "./model.ts";
import { followActor, isLive, type MqState, selectedActor } from "./mq.ts";
import { labUnavailable } from "./lab_busy.ts";
import {
  BROKER_CHANGING_LAB,
  isBrokerChanging,
  labCommandName,
  readOnlyRefusal,
} from "./read_only.ts";
import { selectedRow } from "./rabbit.ts";
import { rabbitLayout } from "./rabbit_view.ts";
import { actorsPage } from "./actors_view.ts";
import { screenLayout } from "./screen_layout.ts";
import { openScenarioMenu, type ScenarioMenu, scenarioMenuKey } from "./scenario_menu.ts";

export const ACTORS_HELP: readonly { key: string; description: string }[] = [
  {
    key: "a",
    description:
      "the actors view: publishers, subscribers, workers, RPC (a again, Esc: the tables)",
  },
  { key: "s", description: "the scenario menu: hello, work, fanout, direct, topic, rpc" },
  {
    key: "m b w c",
    description: "write :publish, :subscribe, :worker (for the selected exchange or queue), " +
      ":rpc 30 on the command line",
  },
  { key: "x", description: "write :stop and the selected actor (alone: every actor)" },
  {
    key: "Up Down j k",
    description: "in the actors view: select an actor; its counters, error and log show below",
  },
];

/**
 * The actors' commands whose replies a person reads. The connect's never
 * show: it is sent at start, not asked for, and the actors' rows say how
 * their connections fare.
 */
export const MQ_REPLIES: readonly LabCommand["type"][] = [...BROKER_CHANGING_LAB, "mq-stop"];

export function withMq(state: AppState, mq: MqState): AppState {
  return { ...state, mq };
}

/**
 * An actors command for the lab: the RabbitMQ panel comes into view with
 * its actors, and the actor it starts is selected once the lab shows it.
 * `:rpc` starts the RPC server first when none is running.
 */
export function applyMq(state: AppState, command: MqCommand): AppState {
  if (state.readOnly && isBrokerChanging(command)) {
    return { ...state, message: readOnlyRefusal(labCommandName(command)) };
  }
  if (state.lab.status !== "running") {
    return { ...state, message: { text: labUnavailable(state), level: "error" } };
  }
  if (state.broker?.amqp.state === "failed") {
    const text = `no broker for the actors: the embedded broker failed: ${state.broker.amqp.error}`;
    return { ...state, message: { text, level: "error" } };
  }
  const actors = state.mq.snapshot?.actors ?? [];
  const commands: MqCommand[] = [command];
  if (command.type === "mq-rpc" && !actors.some((a) => a.kind === "rpc-server" && isLive(a))) {
    commands.unshift({ type: "mq-rpc-server" });
  }
  const follow: MqState["follow"] = command.type === "mq-rpc"
    ? { kind: "rpc-client" }
    : command.type === "mq-stop"
    ? undefined
    : { known: actors.map((a) => a.name) };
  const mq = followActor({ ...state.mq, shown: true, follow });
  return { ...state, panel: "rabbitmq", mq, outbox: [...state.outbox, ...commands] };
}

/**
 * `:stop [NAME]`: an actor's name (or `actors`) stops actors; another name
 * a server or the load; no name, the actors on the RabbitMQ panel and every
 * socket elsewhere.
 */
export function stopIntent(state: AppState, name: string | undefined): CommandIntent {
  const actors = state.mq.snapshot?.actors.map((a) => a.name) ?? [];
  if (name === "actors" || (name === undefined && state.panel === "rabbitmq")) {
    return { kind: "mq", command: { type: "mq-stop" } };
  }
  if (name !== undefined && (isActorName(name) || actors.includes(name))) {
    return { kind: "mq", command: { type: "mq-stop", name } };
  }
  return {
    kind: "sockets",
    command: name === undefined ? { type: "stop-socket" } : { type: "stop-socket", name },
  };
}

/** The scenario menu's keys; Enter runs the scenario as `:scenario` does. */
export function scenarioKey(state: AppState, menu: ScenarioMenu, key: KeyEvent): AppState {
  const next = scenarioMenuKey(menu, key);
  if (next === undefined) return state;
  if (next === "close") return { ...state, overlay: { kind: "none" } };
  if ("kind" in next) return { ...state, overlay: next };
  return applyMq({ ...state, overlay: { kind: "none" }, message: undefined }, next);
}

/** `publish amq.default hello `: the selected exchange, or the selected queue by the default one. */
function publishText(state: AppState): string {
  const row = state.mq.shown ? undefined : selectedRow(state.rabbit, state.filters.rabbitmq);
  if (row && state.rabbit.table === "exchanges") {
    return `publish ${row.name === "" ? "amq.default" : row.name} `;
  }
  if (row && state.rabbit.table === "queues") return `publish amq.default ${row.name} `;
  return "publish ";
}

function selectedName(state: AppState, table: "exchanges" | "queues"): string | undefined {
  if (state.mq.shown || state.rabbit.table !== table) return undefined;
  const name = selectedRow(state.rabbit, state.filters.rabbitmq)?.name;
  return name === "" ? undefined : name;
}

/** The actor keys of the RabbitMQ panel; undefined when the key is not one of them. */
export function mqKey(state: AppState, key: KeyEvent): AppState | undefined {
  const mq = state.mq;
  const name = formatKey(key);
  const cleared = { ...state, message: undefined };
  const show = (shown: boolean, table = state.rabbit.table) =>
    withMq({ ...cleared, rabbit: { ...state.rabbit, table } }, { ...mq, shown });
  switch (name) {
    case "s":
      return { ...cleared, overlay: openScenarioMenu() };
    case "a":
      return show(!mq.shown);
    case "m":
      return withCommandLine(state, publishText(state));
    case "b": {
      const exchange = selectedName(state, "exchanges");
      return withCommandLine(state, exchange ? `subscribe ${exchange} ` : "subscribe ");
    }
    case "w":
      return withCommandLine(state, `worker ${selectedName(state, "queues") ?? "task_queue"}`);
    case "c":
      return withCommandLine(state, "rpc 30");
    case "x": {
      const actor = mq.shown ? selectedActor(mq) : undefined;
      return withCommandLine(state, actor ? `stop ${actor.name}` : "stop");
    }
  }
  const left = name === "left" || name === "h";
  const right = name === "right" || name === "l";
  // The actors come after connections and before exchanges in the row of tables.
  if (!mq.shown) {
    if (left && state.rabbit.table === "exchanges") return show(true);
    if (right && state.rabbit.table === "connections") return show(true);
    return undefined;
  }
  if (left) return show(false, "connections");
  if (right) return show(false, "exchanges");
  if (name === "escape") return show(false);
  const layout = rabbitLayout(screenLayout(state.width, state.height).panel, state.rabbit, mq);
  const move = scrollDelta(name, actorsPage(layout.actors, mq));
  if (move !== undefined) {
    const actors = mq.snapshot?.actors ?? [];
    const at = actors.findIndex((a) => a.name === selectedActor(mq)?.name);
    const next = actors[Math.max(0, Math.min(actors.length - 1, at + move))];
    return next ? withMq(cleared, { ...mq, selected: next.name, follow: undefined }) : cleared;
  }
  // The tables' own keys (sort, detail, peek) mean nothing here.
  return ["<", ">", "r", "enter", "p"].includes(name) ? state : undefined;
}
