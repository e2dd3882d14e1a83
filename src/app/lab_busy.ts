/**
 * The app while the lab is busy: a task that never yields freezes the lab
 * Worker, so no snapshot or reply can arrive until it does. The UI still
 * answers every key: it says the lab is busy and that the figures are stale,
 * lets lab commands wait in the Worker's queue (they apply, in order, once the
 * task yields) and, since a kill must wait for a yield too, offers to restart
 * the lab Worker instead.
 */
import { type CoroutinesState, initialCoroutines, type StuckTask } from "./coroutines.ts";
import { selectedTask } from "./coroutines_keys.ts";
import type { AppState, Overlay, StatusMessage } from "./model.ts";
import type { LabCommand } from "../lab/protocol.ts";

type Confirm = Extract<Overlay, { kind: "confirm" }>;

/** What a restart loses, said before and after it. */
const RESTART_LOSES = "Every task ends and the demo's output is cleared; the lab starts empty.";

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The stuck task's name, when the lab last sent its row or its lane. */
export function stuckName(state: CoroutinesState): string | undefined {
  const id = state.stuck?.taskId;
  const snapshot = state.snapshot;
  // Off the table's page it may still have a timeline lane (the busiest do).
  return snapshot?.window.rows.find((r) => r.id === id)?.name ??
    snapshot?.lanes.lanes.find((l) => l.id === id)?.name;
}

/** `lab busy: task #4 busy has not yielded for 1.4 s`: one line, for the panel and Overview. */
export function busyLine(stuck: StuckTask, name: string | undefined): string {
  const who = name === undefined ? `#${stuck.taskId}` : `#${stuck.taskId} ${name}`;
  return `lab busy: task ${who} has not yielded for ${seconds(stuck.forMs)}`;
}

/** The dialog that restarts the lab Worker (`:restart-lab`). */
export function restartQuestion(): Confirm {
  return { kind: "confirm", message: `Restart the lab? ${RESTART_LOSES}`, command: "restart-lab" };
}

/**
 * Ctrl-K's question. The stuck task cannot be killed (a kill is applied
 * between steps), so for it the question is a restart; for another task
 * while the lab is busy, the question says the kill waits.
 */
export function killQuestion(state: CoroutinesState, id: number, name: string): Confirm {
  const stuck = state.stuck;
  if (stuck?.taskId === id) {
    return {
      kind: "confirm",
      message: `Task #${id} '${name}' has not yielded for ${seconds(stuck.forMs)}, so it ` +
        `cannot be killed: a kill waits for a yield. Restart the lab instead? ${RESTART_LOSES}`,
      command: "restart-lab",
    };
  }
  const waits = stuck
    ? ` The lab is busy: the kill applies when task #${stuck.taskId} yields.`
    : "";
  return {
    kind: "confirm",
    message: `Kill task #${id} '${name}'? It ends as "killed".${waits}`,
    command: { type: "kill-task", id },
  };
}

/**
 * Enter or Ctrl-K found no row to act on: while the lab is busy the row the
 * selection moved to has not arrived yet, so say so instead of doing nothing.
 */
export function missingRowAnswer(state: CoroutinesState): StatusMessage | undefined {
  if (!state.stuck || selectedTask(state)) return undefined;
  return {
    text: `${busyLine(state.stuck, stuckName(state))}: rows arrive when it yields`,
    level: "info",
  };
}

/** Commands that change the lab (not the view): the ones a person waits for. */
function isAction(command: LabCommand): boolean {
  return command.type !== "set-view" && command.type !== "pause";
}

/** Sent while the lab is busy: say that the commands wait, rather than seem ignored. */
export function queuedNote(
  state: CoroutinesState,
  sent: readonly LabCommand[],
): StatusMessage | undefined {
  if (!state.stuck || !sent.some(isAction)) return undefined;
  return {
    text: `queued: the lab applies it when task #${state.stuck.taskId} yields`,
    level: "info",
  };
}

/** The panel after a restart: empty, keeping the demo list and the chosen order. */
export function restartedCoroutines(state: CoroutinesState): CoroutinesState {
  return {
    ...initialCoroutines(),
    demos: state.demos,
    sort: state.sort,
    descending: state.descending,
  };
}

export const RESTARTED = "restarted the lab: its tasks and the demo's output are gone";

/** Why the lab cannot take a command now (not running, failed, or still starting). */
export function labUnavailable(state: Pick<AppState, "lab">): string {
  switch (state.lab.status) {
    case "failed":
      return `the lab is not running: ${state.lab.error} (:restart-lab starts a fresh one)`;
    case "off":
      return "the lab is not running (it runs in the live dashboard only)";
    case "running":
      // Running, but its hello (with the demo list) has not arrived yet.
      return "the lab is still starting; try again in a moment";
  }
}
