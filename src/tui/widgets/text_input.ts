/**
 * A one-line text input. The editing state (value + cursor) is a plain
 * object changed by the pure `editInput()`; the cursor moves and deletes by
 * grapheme (so a CJK character or an accented letter is one step), and the
 * render draws the cursor as a reverse-video cell because the terminal
 * cursor stays hidden while the dashboard runs.
 */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { stringWidth } from "../width.ts";

export interface TextInputState {
  value: string;
  /** UTF-16 index into `value`, always on a grapheme boundary. */
  cursor: number;
}

export type InputEdit =
  | { type: "insert"; text: string }
  | { type: "backspace" }
  | { type: "delete" }
  | { type: "left" }
  | { type: "right" }
  | { type: "home" }
  | { type: "end" }
  /** Ctrl-W: the word before the cursor (and the blanks after it). */
  | { type: "deleteWordBack" }
  /** Ctrl-U: everything before the cursor. */
  | { type: "deleteToStart" }
  /** Ctrl-K: everything after the cursor. */
  | { type: "deleteToEnd" };

/** A state with `value` and the cursor at its end. */
export function textInput(value = ""): TextInputState {
  return { value, cursor: value.length };
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

// Work per key must not grow with the value's length (a 10 000-character
// paste made every later key take seconds when each step segmented the whole
// value), so only the text near the cursor is segmented. Segmenting may start
// at any certain boundary: between two printable ASCII characters there is
// always one (neither extends, prepends to or joins a grapheme).

function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code < 0x7f;
}

/** The largest certain grapheme boundary at or before `i`. */
function safeBoundaryBefore(s: string, i: number): number {
  for (let k = Math.min(i, s.length); k > 0; k--) {
    if (
      k === s.length || (isPrintableAscii(s.charCodeAt(k - 1)) && isPrintableAscii(s.charCodeAt(k)))
    ) {
      if (k < s.length || k === i) return k;
    }
  }
  return 0;
}

/** The smallest certain grapheme boundary at or after `i`. */
function safeBoundaryAfter(s: string, i: number): number {
  for (let k = Math.max(0, i); k < s.length; k++) {
    if (k > 0 && isPrintableAscii(s.charCodeAt(k - 1)) && isPrintableAscii(s.charCodeAt(k))) {
      return k;
    }
  }
  return s.length;
}

/** The graphemes of `s` from boundary `from` to boundary `to`, as [start, text] pairs. */
function graphemesBetween(s: string, from: number, to: number): [number, string][] {
  return [...segmenter.segment(s.slice(from, to))].map((g) => [from + g.index, g.segment]);
}

/** The grapheme boundary before `i` (0 at the start); `i` is a boundary. */
function prevBoundary(s: string, i: number): number {
  if (i <= 0) return 0;
  return graphemesBetween(s, safeBoundaryBefore(s, i - 1), i).at(-1)![0];
}

/** The grapheme boundary after `i` (s.length at the end); `i` is a boundary. */
function nextBoundary(s: string, i: number): number {
  if (i >= s.length) return s.length;
  const [[start, text]] = graphemesBetween(s, i, safeBoundaryAfter(s, i + 1)) as [[number, string]];
  return start + text.length;
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

export function editInput(state: TextInputState, edit: InputEdit): TextInputState {
  const { value } = state;
  const cursor = Math.min(Math.max(0, state.cursor), value.length);
  switch (edit.type) {
    case "insert": {
      // Pasted text may hold newlines and tabs; a one-line input keeps them as blanks.
      const text = edit.text.replace(/\t|\r\n|\r/g, " ").replace(
        CONTROL,
        (c) => c === "\n" ? " " : "",
      );
      return {
        value: value.slice(0, cursor) + text + value.slice(cursor),
        cursor: cursor + text.length,
      };
    }
    case "backspace": {
      if (cursor === 0) return { value, cursor };
      const from = prevBoundary(value, cursor);
      return { value: value.slice(0, from) + value.slice(cursor), cursor: from };
    }
    case "delete": {
      if (cursor >= value.length) return { value, cursor };
      const to = nextBoundary(value, cursor);
      return { value: value.slice(0, cursor) + value.slice(to), cursor };
    }
    case "left":
      return { value, cursor: prevBoundary(value, cursor) };
    case "right":
      return { value, cursor: cursor >= value.length ? cursor : nextBoundary(value, cursor) };
    case "home":
      return { value, cursor: 0 };
    case "end":
      return { value, cursor: value.length };
    case "deleteWordBack": {
      let from = cursor;
      while (from > 0 && /\s/.test(value[from - 1]!)) from--;
      while (from > 0 && !/\s/.test(value[from - 1]!)) from--;
      return { value: value.slice(0, from) + value.slice(cursor), cursor: from };
    }
    case "deleteToStart":
      return { value: value.slice(cursor), cursor: 0 };
    case "deleteToEnd":
      return { value: value.slice(0, cursor), cursor };
  }
}

/**
 * The edit a key means in a text input (readline keys), or null for keys the
 * input does not handle (Enter, Esc, Tab, arrows up/down: the caller's).
 */
export function editForKey(ev: { key: string; ctrl: boolean; alt: boolean }): InputEdit | null {
  if (ev.ctrl) {
    switch (ev.key) {
      case "w":
        return { type: "deleteWordBack" };
      case "u":
        return { type: "deleteToStart" };
      case "k":
        return { type: "deleteToEnd" };
      case "a":
        return { type: "home" };
      case "e":
        return { type: "end" };
      case "b":
        return { type: "left" };
      case "f":
        return { type: "right" };
      case "h":
        return { type: "backspace" };
      case "d":
        return { type: "delete" };
    }
    return null;
  }
  switch (ev.key) {
    case "backspace":
      return ev.alt ? { type: "deleteWordBack" } : { type: "backspace" };
    case "delete":
      return { type: "delete" };
    case "left":
      return { type: "left" };
    case "right":
      return { type: "right" };
    case "home":
      return { type: "home" };
    case "end":
      return { type: "end" };
  }
  // A printable key is one code point ("a", "中"); names are longer ASCII words.
  if (!ev.alt && [...ev.key].length === 1 && ev.key >= " ") return { type: "insert", text: ev.key };
  return null;
}

export interface TextInputProps {
  /** Drawn before the value (e.g. ":" or "/"). */
  prompt?: string;
  /** Shown dim when the value is empty. */
  placeholder?: string;
  style?: Style;
  /** Default: reverse video. */
  cursorStyle?: Style;
  /** Draw the cursor (default true). */
  focused?: boolean;
}

/**
 * Draws prompt and value on the first row of `rect`, scrolled horizontally
 * so the cursor stays visible; returns the screen column of the cursor.
 */
export function renderTextInput(
  buf: ScreenBuffer,
  rect: Rect,
  props: TextInputProps,
  state: TextInputState,
): { cursorX: number } {
  const end = rect.x + rect.width;
  if (rect.width <= 0 || rect.height <= 0) return { cursorX: rect.x };
  const y = rect.y;
  let x = buf.setString(rect.x, y, props.prompt ?? "", props.style, rect.width);
  const room = end - x;
  if (room <= 0) return { cursorX: end - 1 };
  const cursor = Math.min(Math.max(0, state.cursor), state.value.length);
  if (state.value === "" && props.placeholder) {
    buf.setString(x, y, props.placeholder, { ...props.style, dim: true }, room);
  }
  // Scroll: the text before the cursor plus the cursor cell must fit, so walk
  // back from the cursor one grapheme at a time until the room is used up.
  // A grapheme takes at least one cell and rarely more than 8 code units, so
  // 8 code units per cell of room is all that can show.
  const window = graphemesBetween(
    state.value,
    safeBoundaryBefore(state.value, Math.max(0, cursor - 8 * room)),
    cursor,
  );
  let start = cursor;
  let used = 1;
  for (let g = window.length - 1; g >= 0; g--) {
    const [from, text] = window[g]!;
    const width = stringWidth(text);
    if (used + width > room) break;
    used += width;
    start = from;
  }
  const before = state.value.slice(start, cursor);
  const after = state.value.slice(cursor);
  x = buf.setString(x, y, before, props.style, end - x);
  const cursorX = x;
  if (after !== "" || !(state.value === "" && props.placeholder)) {
    buf.setString(x, y, after, props.style, end - x);
  }
  if (props.focused !== false) {
    const under = after === ""
      ? 1
      : Math.min(2, stringWidth(after.slice(0, nextBoundary(after, 0))));
    buf.setStyle(
      { x: cursorX, y, width: Math.max(1, under), height: 1 },
      props.cursorStyle ?? { reverse: true },
    );
  }
  return { cursorX };
}
