/**
 * update(state, event) -> state: every key, paste, resize and lab message
 * goes through here. Pure: the run loop does the I/O (drawing, sending the
 * outbox to the lab Worker, quitting).
 */
import { formatKey, type InputEvent, type KeyEvent } from "../tui/keys.ts";
import {
  commandComplete,
  commandEdit,
  commandHistoryDown,
  commandHistoryUp,
  commandLineState,
  commandSubmit,
} from "../tui/widgets/command_line.ts";
import { confirmAnswer } from "../tui/widgets/confirm.ts";
import { scrollDelta } from "../tui/widgets/scroll_text.ts";
import { editForKey, editInput, textInput } from "../tui/widgets/text_input.ts";
import { type CommandIntent, completionCandidates, runCommandLine } from "./commands.ts";
import { updateCoroutinesKey } from "./coroutines_keys.ts";
import {
  coroutinesLayout,
  type CoroutinesState,
  desiredView,
  receiveSnapshot,
  type StuckTask,
  viewCommand,
} from "./coroutines.ts";
import { followStep } from "./demo_follow.ts";
import { demoMenuKey, openDemoMenu, startDemo } from "./demo_menu.ts";
import { helpScroll } from "./help.ts";
import {
  killQuestion,
  labUnavailable,
  missingRowAnswer,
  queuedNote,
  RESTARTED,
  restartedCoroutines,
  restartQuestion,
} from "./lab_busy.ts";
import { lookupKey } from "./keymap.ts";
import { type AppState, isTooSmall } from "./model.ts";
import { PANEL_IDS, panelFilters, type PanelId, PANELS } from "./panels.ts";
import type { LabCommand, LabMessage } from "../lab/protocol.ts";
import { screenLayout } from "./screen_layout.ts";
import type { BrokerStatus } from "./broker_status.ts";
import type { RabbitData } from "./mgmt_api.ts";
import { receivePeek, receiveRabbit } from "./rabbit.ts";
import type { PeekResult } from "./mgmt_peek.ts";
import { rabbitKey, routeKey, withRabbit } from "./rabbit_update.ts";
import { actionDone, askAction, confirmAction, namedAction } from "./rabbit_actions.ts";
import type { RabbitActionResult } from "./mgmt_actions.ts";
import {
  isBrokerChanging,
  labCommandName,
  readOnlyRefusal,
  refuseCommandLine,
} from "./read_only.ts";
import { initialSockets, receiveSockets } from "./sockets.ts";
import { socketsKey, syncSockets, withSockets } from "./sockets_update.ts";
import { initialMq, receiveMq } from "./mq.ts";
import { applyMq, MQ_REPLIES, mqKey, scenarioKey, stopIntent, withMq } from "./mq_update.ts";

export type AppEvent =
  | InputEvent
  | { type: "resize"; width: number; height: number }
  | { type: "lab"; message: LabMessage }
  | { type: "lab-started" }
  | { type: "lab-failed"; error: string }
  | { type: "lab-stuck"; stuck: StuckTask | null }
  /** The broker link's latest status (connection, reconnect countdown, management API). */
  | { type: "broker"; status: BrokerStatus }
  /** A reading of the management API (once a second while it answers). */
  | { type: "rabbit"; data: RabbitData }
  /** A peek's answer (the run loop asked for it when `rabbit.peekRequest` was set). */
  | { type: "peek"; result: PeekResult }
  /** A purge's or delete's answer (the run loop performed `rabbit.actionRequest`). */
  | { type: "rabbit-done"; result: RabbitActionResult };

export function update(state: AppState, event: AppEvent): AppState {
  const next = updateState(state, event);
  return next === state ? state : syncLabView(noteQueued(state, next));
}

/** While the lab is busy, a command sent says it waits instead of seeming ignored. */
function noteQueued(before: AppState, after: AppState): AppState {
  if (after.message) return after;
  const note = queuedNote(after.coroutines, after.outbox.slice(before.outbox.length));
  return note ? { ...after, message: note } : after;
}

function updateState(state: AppState, event: AppEvent): AppState {
  switch (event.type) {
    case "resize":
      return { ...state, width: event.width, height: event.height };
    case "paste":
      return pasteText(state, event.text);
    case "mouse":
      return state;
    case "key":
      return pressKey(state, event);
    case "lab":
      return labMessage(state, event.message);
    case "lab-started":
      return { ...state, lab: { status: "running" } };
    case "lab-failed":
      return { ...state, lab: { status: "failed", error: event.error } };
    case "lab-stuck":
      return withCoroutines(state, { ...state.coroutines, stuck: event.stuck ?? undefined });
    case "broker":
      return { ...state, broker: event.status };
    case "rabbit":
      return withRabbit(state, receiveRabbit(state.rabbit, event.data));
    case "peek":
      return withRabbit(state, receivePeek(state.rabbit, event.result));
    case "rabbit-done":
      return actionDone(state, event.result);
  }
}

/** Asks the lab for the rows the Coroutines table now needs, if they changed. */
function syncLabView(state: AppState): AppState {
  if (state.lab.status !== "running") return state;
  const layout = coroutinesLayout(screenLayout(state.width, state.height).panel);
  const view = desiredView(state.coroutines, layout, state.filters.coroutines);
  const command = viewCommand(state.coroutines, view);
  // scrollTop is a one-time request: the view now holds it.
  const coroutines = { ...state.coroutines, sentView: view, scrollTop: undefined };
  const synced = syncSockets(state);
  if (!command) {
    return state.coroutines.scrollTop === undefined ? synced : { ...synced, coroutines };
  }
  return { ...synced, coroutines, outbox: [...synced.outbox, command] };
}

function send(state: AppState, command: LabCommand): AppState {
  if (state.readOnly && isBrokerChanging(command)) {
    return { ...state, message: readOnlyRefusal(labCommandName(command)) };
  }
  return { ...state, outbox: [...state.outbox, command] };
}

function withCoroutines(state: AppState, coroutines: CoroutinesState): AppState {
  return { ...state, coroutines };
}

/** Commands whose success a person wants to read (the others show in the panel). */
const ASKED_BY_NAME: readonly LabCommand["type"][] = [
  "kill-task",
  "stress",
  "clear-finished",
  "serve",
  "load",
  "stop-socket",
  "compare",
  ...MQ_REPLIES,
];

function labMessage(state: AppState, message: LabMessage): AppState {
  switch (message.type) {
    case "hello":
      return withCoroutines(state, { ...state.coroutines, demos: message.demos });
    case "snapshot": {
      const next = withCoroutines(
        state,
        followStep(receiveSnapshot(state.coroutines, message.snapshot)),
      );
      const { sockets: part, mq } = message.snapshot;
      const withPart = part ? withSockets(next, receiveSockets(state.sockets, part)) : next;
      return mq ? withMq(withPart, receiveMq(state.mq, mq)) : withPart;
    }
    case "reply":
      // Failures always show (but the actors' connect, whose state each actor's row shows);
      // of successes only those a person asked for by name.
      if (message.command === "mq-connect" && !message.ok) return state;
      if (message.ok && !ASKED_BY_NAME.includes(message.command)) {
        return state;
      }
      return { ...state, message: { text: message.message, level: message.ok ? "info" : "error" } };
    case "lab-error":
      return { ...state, message: { text: `lab error: ${message.message}`, level: "error" } };
  }
}

function pressKey(state: AppState, key: KeyEvent): AppState {
  // Ctrl-C always quits, whatever is open: the user's way out must never fail.
  if (key.ctrl && key.key === "c") return { ...state, quit: true };
  if (isTooSmall(state)) return key.key === "q" ? { ...state, quit: true } : state;
  switch (state.overlay.kind) {
    case "help":
      return helpKey(state, state.overlay, key);
    case "command":
      return commandKey(state, state.overlay, key);
    case "filter":
      return filterKey(state, state.overlay, key);
    case "demo-menu":
      return demoMenuKey(state, state.overlay, key);
    case "scenario-menu":
      return scenarioKey(state, state.overlay, key);
    case "confirm":
      return confirmKey(state, state.overlay, key);
    case "none":
      return normalKey(state, key);
  }
}

function normalKey(state: AppState, key: KeyEvent): AppState {
  if (state.panel === "coroutines") {
    const layout = coroutinesLayout(screenLayout(state.width, state.height).panel);
    const intent = updateCoroutinesKey(state.coroutines, key, layout);
    if (intent) {
      switch (intent.kind) {
        case "state": {
          const next = withCoroutines({ ...state, message: undefined }, intent.state);
          // A paused display needs no rows: the lab then sends only heartbeats.
          return intent.state.paused === state.coroutines.paused
            ? next
            : send(next, { type: "pause", paused: intent.state.paused });
        }
        case "demo-menu":
          return openDemoMenu(state);
        case "kill":
          return { ...state, overlay: killQuestion(state.coroutines, intent.id, intent.name) };
        case "clear":
          return send({ ...state, message: undefined }, { type: "clear-finished" });
      }
    }
    const answer = ["enter", "ctrl+k"].includes(formatKey(key)) &&
      missingRowAnswer(state.coroutines);
    if (answer) return { ...state, message: answer };
  }
  if (state.panel === "sockets") {
    const next = socketsKey(state, key);
    if (next) return next;
  }
  if (state.panel === "rabbitmq") {
    const next = mqKey(state, key) ?? rabbitKey(state, key);
    if (next) return next;
  }
  const action = lookupKey(key);
  const cleared = { ...state, message: undefined };
  if (!action) return key.key === "escape" ? escapeKey(state) : state;
  switch (action.kind) {
    case "help":
      return { ...cleared, overlay: { kind: "help", offset: 0 } };
    case "command":
      return { ...cleared, overlay: { kind: "command", line: commandLineState(state.history) } };
    case "filter": {
      if (!panelFilters(state.panel)) {
        const title = PANELS.find((p) => p.id === state.panel)!.title;
        return { ...state, message: { text: `nothing to filter on ${title}`, level: "info" } };
      }
      const current = state.filters[state.panel];
      return {
        ...cleared,
        overlay: { kind: "filter", line: textInput(current), previous: current },
      };
    }
    case "next-panel":
      return { ...cleared, panel: stepPanel(state.panel, action.step) };
    case "panel":
      return { ...cleared, panel: action.panel };
    case "quit":
      return { ...state, quit: true };
    case "redraw":
      return state;
  }
}

/** Esc in normal mode: dismiss the message, else clear the panel's filter (as k9s does). */
function escapeKey(state: AppState): AppState {
  if (state.message) return { ...state, message: undefined };
  if (state.filters[state.panel] !== "") {
    return { ...state, filters: { ...state.filters, [state.panel]: "" } };
  }
  return state;
}

function stepPanel(panel: PanelId, step: 1 | -1): PanelId {
  const i = PANEL_IDS.indexOf(panel);
  return PANEL_IDS[(i + step + PANEL_IDS.length) % PANEL_IDS.length]!;
}

type Overlay<K extends AppState["overlay"]["kind"]> = Extract<AppState["overlay"], { kind: K }>;

/** Esc, `?` or `q` close the help; arrows, j/k, PgUp/PgDn, Home/End scroll it. */
function helpKey(state: AppState, overlay: Overlay<"help">, key: KeyEvent): AppState {
  if (key.key === "escape" || key.key === "?" || key.key === "q") {
    return { ...state, overlay: { kind: "none" } };
  }
  const { rows, maxOffset } = helpScroll(state);
  // A page keeps one line of the last one in view, as `less` does.
  const move = scrollDelta(formatKey(key), Math.max(1, rows - 1));
  if (move === undefined) return state;
  const offset = Math.max(0, Math.min(maxOffset, overlay.offset + move));
  return offset === overlay.offset ? state : { ...state, overlay: { ...overlay, offset } };
}

function confirmKey(state: AppState, overlay: Overlay<"confirm">, key: KeyEvent): AppState {
  const answer = confirmAnswer(key);
  if (answer === null) return state;
  const closed = { ...state, overlay: { kind: "none" } as const, message: undefined };
  if (answer === "no") return closed;
  const command = overlay.command;
  if (command === "restart-lab") return restartLab(closed);
  return "op" in command ? confirmAction(closed, command) : send(closed, command);
}

/**
 * The run loop terminates the lab Worker (a task that never yields cannot be
 * killed any other way) and starts a fresh hub; commands not yet sent would
 * have gone to the old one.
 */
function restartLab(state: AppState): AppState {
  if (state.lab.status === "off") {
    return { ...state, message: { text: labUnavailable(state), level: "error" } };
  }
  return {
    ...state,
    lab: { status: "running" },
    restartLab: true,
    outbox: [],
    coroutines: restartedCoroutines(state.coroutines),
    // the old lab's servers and actors went with it
    sockets: initialSockets(),
    mq: initialMq(),
    message: { text: RESTARTED, level: "info" },
  };
}

function commandKey(state: AppState, overlay: Overlay<"command">, key: KeyEvent): AppState {
  const withLine = (line: Overlay<"command">["line"]) => ({
    ...state,
    overlay: { kind: "command" as const, line },
  });
  switch (key.key) {
    case "escape":
      return { ...state, overlay: { kind: "none" } };
    case "enter": {
      const { state: line, command } = commandSubmit(overlay.line);
      return runCommand(
        { ...state, overlay: { kind: "none" }, history: [...line.history] },
        command,
      );
    }
    case "up":
      return withLine(commandHistoryUp(overlay.line));
    case "down":
      return withLine(commandHistoryDown(overlay.line));
    case "tab": {
      const { value, cursor } = overlay.line.input;
      const context = {
        demos: state.coroutines.demos.map((d) => d.name),
        servers: state.sockets.snapshot?.servers.map((s) => s.name) ?? [],
        actors: state.mq.snapshot?.actors.map((a) => a.name) ?? [],
        exchanges: state.rabbit.data?.exchanges.map((e) => e.name) ?? [],
        queues: state.rabbit.data?.queues.map((q) => q.name) ?? [],
      };
      return withLine(
        commandComplete(overlay.line, completionCandidates(value.slice(0, cursor), context)),
      );
    }
  }
  if (key.key === "backspace" && overlay.line.input.value === "") {
    return { ...state, overlay: { kind: "none" } };
  }
  const edit = editForKey(key);
  return edit ? withLine(commandEdit(overlay.line, edit)) : state;
}

/** Runs a command line; errors stay on the status line until the next key. */
export function runCommand(state: AppState, text: string): AppState {
  const refused = refuseCommandLine(state.readOnly, text);
  if (refused) return { ...state, message: refused };
  const intent = runCommandLine(text);
  return intent ? applyIntent(state, intent) : state;
}

function applyIntent(state: AppState, intent: CommandIntent): AppState {
  switch (intent.kind) {
    case "help":
      return { ...state, overlay: { kind: "help", offset: 0 } };
    case "quit":
      return { ...state, quit: true };
    case "panel":
      return { ...state, panel: intent.panel };
    case "demo":
      return startDemo(state, intent.name);
    case "restart-lab":
      return state.lab.status === "off"
        ? { ...state, message: { text: labUnavailable(state), level: "error" } }
        : { ...state, overlay: restartQuestion() };
    case "clear":
      return state.lab.status === "running"
        ? send({ ...state, panel: "coroutines" }, { type: "clear-finished" })
        : { ...state, message: { text: labUnavailable(state), level: "error" } };
    case "stress":
      return state.lab.status === "running"
        ? send({ ...state, panel: "coroutines" }, { type: "stress", tasks: intent.tasks })
        : { ...state, message: { text: labUnavailable(state), level: "error" } };
    case "sockets": {
      if (state.lab.status !== "running") {
        return { ...state, message: { text: labUnavailable(state), level: "error" } };
      }
      const showCompare = intent.command.type === "compare" || state.sockets.showCompare;
      const sockets = { ...state.sockets, showCompare };
      return send({ ...state, panel: "sockets", sockets }, intent.command);
    }
    case "stop":
      return applyIntent(state, stopIntent(state, intent.name));
    case "mq":
      return applyMq(state, intent.command);
    case "route":
      return withRabbit({ ...state, panel: "rabbitmq" }, routeKey(state.rabbit, intent.key));
    case "rabbit-action":
      return askAction({ ...state, panel: "rabbitmq" }, namedAction(state, intent.op, intent.name));
    case "error":
      return { ...state, message: { text: intent.message, level: "error" } };
  }
}

function filterKey(state: AppState, overlay: Overlay<"filter">, key: KeyEvent): AppState {
  const setFilter = (value: string) => ({ ...state.filters, [state.panel]: value });
  switch (key.key) {
    case "escape":
      // Esc abandons the edit and restores the filter that was there before.
      return { ...state, overlay: { kind: "none" }, filters: setFilter(overlay.previous) };
    case "enter":
      return { ...state, overlay: { kind: "none" } };
  }
  const edit = editForKey(key);
  if (!edit) return state;
  const line = editInput(overlay.line, edit);
  // The filter applies as it is typed, so the table narrows live.
  return { ...state, overlay: { ...overlay, line }, filters: setFilter(line.value) };
}

function pasteText(state: AppState, text: string): AppState {
  const overlay = state.overlay;
  const edit = { type: "insert", text } as const;
  if (overlay.kind === "command") {
    return { ...state, overlay: { ...overlay, line: commandEdit(overlay.line, edit) } };
  }
  if (overlay.kind === "filter") {
    const line = editInput(overlay.line, edit);
    return {
      ...state,
      overlay: { ...overlay, line },
      filters: { ...state.filters, [state.panel]: line.value },
    };
  }
  return state;
}
