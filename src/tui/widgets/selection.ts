/**
 * Selection and scroll state shared by the table and the list, kept apart
 * from the widgets (ratatui style): the app stores it in its model and moves
 * it with these pure functions; render() only reads it.
 */

export interface SelectionState {
  /** Index of the selected row, or null when nothing is selected (or no rows). */
  selected: number | null;
  /** Index of the first row shown. */
  offset: number;
}

export function selectionState(selected: number | null = 0): SelectionState {
  return { selected, offset: 0 };
}

/** Keeps the selection inside [0, count) (e.g. after a filter shrank the rows). */
export function clampSelection(state: SelectionState, count: number): SelectionState {
  if (count <= 0) return { selected: null, offset: 0 };
  const selected = state.selected === null
    ? null
    : Math.min(Math.max(0, state.selected), count - 1);
  return { selected, offset: Math.min(state.offset, Math.max(0, count - 1)) };
}

/** Moves the selection by `delta` rows, stopping at the ends. */
export function moveSelection(state: SelectionState, delta: number, count: number): SelectionState {
  if (count <= 0) return { selected: null, offset: 0 };
  const from = state.selected ?? (delta >= 0 ? -1 : count);
  return { ...state, selected: Math.min(Math.max(0, from + delta), count - 1) };
}

export function selectFirst(state: SelectionState, count: number): SelectionState {
  return count <= 0 ? { selected: null, offset: 0 } : { ...state, selected: 0 };
}

export function selectLast(state: SelectionState, count: number): SelectionState {
  return count <= 0 ? { selected: null, offset: 0 } : { ...state, selected: count - 1 };
}

/**
 * The first row to show so that the selection is visible, moving the
 * window as little as possible from `offset`.
 */
export function scrollOffset(
  offset: number,
  selected: number | null,
  visible: number,
  count: number,
): number {
  if (visible <= 0 || count <= visible) return 0;
  let top = Math.min(Math.max(0, offset), count - visible);
  if (selected !== null) {
    if (selected < top) top = selected;
    else if (selected >= top + visible) top = selected - visible + 1;
  }
  return top;
}
