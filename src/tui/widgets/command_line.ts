/**
 * The `:` command line: a text input with history (Up/Down, the unfinished
 * line kept as a draft) and Tab completion of the word before the cursor
 * against candidates the caller provides (it knows whether a command name or
 * an argument is being typed). Completion extends the word to the longest
 * common prefix of the matches and lists them as a hint when there are
 * several; Tab again then cycles through them (zsh's menu completion). All
 * state changes are pure functions.
 */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { stringWidth, truncateToWidth } from "../width.ts";
import {
  editInput,
  type InputEdit,
  renderTextInput,
  textInput,
  type TextInputState,
} from "./text_input.ts";

export interface CommandLineState {
  input: TextInputState;
  /** Oldest first. */
  history: readonly string[];
  /** Which history entry is shown, or null when editing a new line. */
  historyIndex: number | null;
  /** The new line being typed before browsing history. */
  draft: string;
  /** A one-line hint under/after the input (completion candidates, no match). */
  hint: string | null;
  /** While Tab cycles: the candidates, the one shown, and where the word starts. */
  cycle: { matches: readonly string[]; index: number; start: number } | null;
}

const HISTORY_LIMIT = 100;

export function commandLineState(history: readonly string[] = []): CommandLineState {
  return { input: textInput(), history, historyIndex: null, draft: "", hint: null, cycle: null };
}

/** An edit of the line; editing a history entry makes it the new line. */
export function commandEdit(state: CommandLineState, edit: InputEdit): CommandLineState {
  return {
    ...state,
    input: editInput(state.input, edit),
    historyIndex: null,
    hint: null,
    cycle: null,
  };
}

export function commandHistoryUp(state: CommandLineState): CommandLineState {
  if (state.history.length === 0) return state;
  const index = state.historyIndex === null
    ? state.history.length - 1
    : Math.max(0, state.historyIndex - 1);
  const draft = state.historyIndex === null ? state.input.value : state.draft;
  return {
    ...state,
    historyIndex: index,
    draft,
    input: textInput(state.history[index]!),
    hint: null,
    cycle: null,
  };
}

export function commandHistoryDown(state: CommandLineState): CommandLineState {
  if (state.historyIndex === null) return state;
  const index = state.historyIndex + 1;
  if (index >= state.history.length) {
    return { ...state, historyIndex: null, input: textInput(state.draft), hint: null, cycle: null };
  }
  return {
    ...state,
    historyIndex: index,
    input: textInput(state.history[index]!),
    hint: null,
    cycle: null,
  };
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? "";
  for (const w of words) {
    let i = 0;
    while (i < prefix.length && i < w.length && prefix[i] === w[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

/** The word before the cursor (what Tab completes); "" after a blank. */
export function wordBeforeCursor(state: CommandLineState): string {
  const before = state.input.value.slice(0, state.input.cursor);
  return /\S*$/.exec(before)![0];
}

/**
 * Tab: completes the word before the cursor against `candidates` (prefix
 * match, case-insensitive). One match: the word becomes it plus a space.
 * Several: the word grows to their longest common prefix and the hint lists
 * them; Tab again on the same list puts in the first, and each Tab after
 * that the next (the hint marks which). None: the hint says so.
 */
export function commandComplete(
  state: CommandLineState,
  candidates: readonly string[],
): CommandLineState {
  if (state.cycle) {
    return cycleTo(state, state.cycle.start, state.cycle.matches, state.cycle.index + 1);
  }
  const word = wordBeforeCursor(state);
  const lower = word.toLowerCase();
  const matches = [...new Set(candidates)].filter((c) => c.toLowerCase().startsWith(lower));
  const { value, cursor } = state.input;
  const start = cursor - word.length;
  if (matches.length === 0) return { ...state, hint: `no completions for '${word}'` };
  if (matches.length === 1) {
    const after = value.slice(cursor);
    const text = after.startsWith(" ") ? matches[0]! : matches[0]! + " ";
    return {
      ...state,
      input: replaceWord(state.input, start, text),
      historyIndex: null,
      hint: null,
    };
  }
  const prefix = commonPrefix(matches);
  const listed = matches.join("  ");
  // The second Tab on the same list starts cycling; the first only lists.
  if (prefix.length === word.length && state.hint === listed) {
    return cycleTo(state, start, matches, 0);
  }
  const input = replaceWord(state.input, start, prefix);
  return { ...state, input, historyIndex: null, hint: listed };
}

/** The input with the text from `start` to the cursor replaced by `text`. */
function replaceWord(input: TextInputState, start: number, text: string): TextInputState {
  return {
    value: input.value.slice(0, start) + text + input.value.slice(input.cursor),
    cursor: start + text.length,
  };
}

/** Puts candidate `index` (wrapping) in place of the word and marks it in the hint. */
function cycleTo(
  state: CommandLineState,
  start: number,
  matches: readonly string[],
  index: number,
): CommandLineState {
  const i = index % matches.length;
  return {
    ...state,
    input: replaceWord(state.input, start, matches[i]!),
    historyIndex: null,
    hint: matches.map((m, k) => (k === i ? `[${m}]` : m)).join("  "),
    cycle: { matches, index: i, start },
  };
}

/**
 * Enter: returns the trimmed command and a cleared line; a non-empty command
 * is added to the history (not twice in a row; the oldest fall off).
 */
export function commandSubmit(
  state: CommandLineState,
): { state: CommandLineState; command: string } {
  const command = state.input.value.trim();
  let history = state.history;
  if (command !== "" && history[history.length - 1] !== command) {
    history = [...history, command].slice(-HISTORY_LIMIT);
  }
  return { state: commandLineState(history), command };
}

export interface CommandLineProps {
  /** Default ":". */
  prompt?: string;
  style?: Style;
  /** Default: dim. */
  hintStyle?: Style;
  symbols?: Symbols;
}

/**
 * The input on the last row of `rect`; the hint on the row above when
 * `rect` has two rows, else after the text on the same row if it fits.
 */
export function renderCommandLine(
  buf: ScreenBuffer,
  rect: Rect,
  props: CommandLineProps,
  state: CommandLineState,
): void {
  if (rect.width <= 0 || rect.height <= 0) return;
  const symbols = props.symbols ?? symbolsFor(true);
  const y = rect.y + rect.height - 1;
  const hintStyle = props.hintStyle ?? { dim: true };
  const row = { x: rect.x, y, width: rect.width, height: 1 };
  renderTextInput(buf, row, { prompt: props.prompt ?? ":", style: props.style }, state.input);
  if (state.hint === null) return;
  if (rect.height >= 2) {
    buf.setString(
      rect.x,
      y - 1,
      truncateToWidth(state.hint, rect.width, symbols.ellipsis),
      hintStyle,
      rect.width,
    );
    return;
  }
  const textEnd = rect.x + stringWidth(props.prompt ?? ":") + stringWidth(state.input.value) + 1;
  const room = rect.x + rect.width - (textEnd + 2);
  if (room > 3) {
    buf.setString(
      textEnd + 2,
      y,
      truncateToWidth(state.hint, room, symbols.ellipsis),
      hintStyle,
      room,
    );
  }
}
