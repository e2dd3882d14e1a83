/**
 * A demo started from the panel comes into view: finished tasks of earlier
 * runs can fill the table above it, so once a snapshot shows the new run the
 * selection moves to the demo's main task (named and grouped as the demo).
 */
import type { CoroutinesState } from "./coroutines.ts";

/** Follows demo `name`, started now; the last run's start tells its rows from the new run's. */
export function followDemo(state: CoroutinesState, name: string): CoroutinesState {
  const after = state.snapshot?.demo?.startedAtMs ?? null;
  return { ...state, follow: { name, after, jumped: false } };
}

/** After each snapshot: select the main task when it is in the rows, or go to where it is. */
export function followStep(state: CoroutinesState): CoroutinesState {
  const { follow, snapshot } = state;
  if (!follow || !snapshot) return state;
  const demo = snapshot.demo;
  // The lab has not started the run yet (the command is still on its way).
  if (demo?.name !== follow.name || demo.startedAtMs === follow.after) return state;
  const { rows, request, total } = snapshot.window;
  const i = rows.findIndex((r) =>
    r.name === follow.name && r.group === follow.name && r.parentId === 0
  );
  if (i >= 0) {
    // The main task at the top of the table: the demo's other tasks fill the page below it.
    const selected = request.offset + i;
    return { ...state, selected, scrollTop: selected, follow: undefined };
  }
  // By id, a new run's tasks are the newest: at the end, or at the top reversed.
  if (state.sort === "id" && !follow.jumped) {
    const selected = state.descending ? 0 : Math.max(0, total - 1);
    return { ...state, selected, follow: { ...follow, jumped: true } };
  }
  // Wait for the rows of the window asked for; then stay where they are.
  if (follow.jumped && request.offset !== state.sentView?.offset) return state;
  return { ...state, follow: undefined };
}
