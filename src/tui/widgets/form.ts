/**
 * A small form: labelled text inputs, Tab / Shift-Tab between them, and a
 * validation message. State and validation are pure; the caller maps keys
 * to `formFocus*` / `formEdit` and calls `formSubmit` on Enter.
 */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { padToWidth, stringWidth } from "../width.ts";
import {
  editInput,
  type InputEdit,
  renderTextInput,
  textInput,
  type TextInputState,
} from "./text_input.ts";

export interface FormField {
  name: string;
  label: string;
  placeholder?: string;
  /** An error message for a bad value, or null when it is fine. */
  validate?: (value: string) => string | null;
}

export interface FormState {
  inputs: TextInputState[];
  focus: number;
  /** The message shown under the fields (from the last failed submit). */
  error: string | null;
}

export function formState(
  fields: readonly FormField[],
  initial: Record<string, string> = {},
): FormState {
  return { inputs: fields.map((f) => textInput(initial[f.name] ?? "")), focus: 0, error: null };
}

export function formFocusNext(state: FormState): FormState {
  const n = state.inputs.length;
  return n === 0 ? state : { ...state, focus: (state.focus + 1) % n };
}

export function formFocusPrev(state: FormState): FormState {
  const n = state.inputs.length;
  return n === 0 ? state : { ...state, focus: (state.focus - 1 + n) % n };
}

/** Applies an edit to the focused field; the old error message goes away. */
export function formEdit(state: FormState, edit: InputEdit): FormState {
  const focused = state.inputs[state.focus];
  if (focused === undefined) return state;
  const inputs = state.inputs.slice();
  inputs[state.focus] = editInput(focused, edit);
  return { ...state, inputs, error: null };
}

export type FormResult =
  | { ok: true; values: Record<string, string> }
  | { ok: false; state: FormState };

/**
 * Validates every field in order; the first failure focuses its field and
 * sets the message (prefixed with the field's label).
 */
export function formSubmit(fields: readonly FormField[], state: FormState): FormResult {
  const values: Record<string, string> = {};
  for (const [i, field] of fields.entries()) {
    const value = state.inputs[i]?.value ?? "";
    const error = field.validate?.(value) ?? null;
    if (error !== null) {
      return { ok: false, state: { ...state, focus: i, error: `${field.label}: ${error}` } };
    }
    values[field.name] = value;
  }
  return { ok: true, values };
}

export interface FormProps {
  fields: readonly FormField[];
  labelStyle?: Style;
  /** Default: bold. */
  focusedLabelStyle?: Style;
  /** Default: red and bold. */
  errorStyle?: Style;
  /** A last line of key hints; default "Tab next field  Enter submit  Esc cancel". */
  hint?: string;
}

/** One row per field (`label: value`), then the error message, then the hint. */
export function renderForm(
  buf: ScreenBuffer,
  rect: Rect,
  props: FormProps,
  state: FormState,
): void {
  if (rect.width <= 0 || rect.height <= 0) return;
  const labelWidth = Math.max(0, ...props.fields.map((f) => stringWidth(f.label))) + 2;
  const end = rect.y + rect.height;
  let y = rect.y;
  props.fields.forEach((field, i) => {
    if (y >= end) return;
    const focused = i === state.focus;
    const label = padToWidth(field.label + ":", labelWidth);
    const style = focused ? (props.focusedLabelStyle ?? { bold: true }) : props.labelStyle;
    const x = buf.setString(rect.x, y, label, style, rect.width);
    renderTextInput(
      buf,
      { x, y, width: rect.x + rect.width - x, height: 1 },
      { placeholder: field.placeholder, focused, style: { underline: true } },
      state.inputs[i] ?? textInput(),
    );
    y++;
  });
  if (state.error !== null && y < end) {
    buf.setString(rect.x, y, state.error, props.errorStyle ?? { fg: 1, bold: true }, rect.width);
  }
  const hint = props.hint ?? "Tab next field  Enter submit  Esc cancel";
  if (end - 1 > y) buf.setString(rect.x, end - 1, hint, { dim: true }, rect.width);
}
