/**
 * Terminal input bytes -> key, paste and mouse events.
 *
 * A terminal sends one byte stream for everything: printable UTF-8, C0
 * control bytes for Ctrl-letters, and escape sequences for the rest:
 *
 *   ESC x                 Alt-x (and a lone ESC is the Escape key)
 *   ESC [ params final    CSI: arrows (`A`..`D`), Home/End (`H`/`F`),
 *                         `n ~` keys (Insert, Delete, PgUp, F5..), Shift-Tab (`Z`),
 *                         `1;5A` = Ctrl-Up (modifier = 1 + shift|alt<<1|ctrl<<2),
 *                         `< b;x;y M/m` = SGR mouse, `200~` ... `201~` = paste
 *   ESC O final           SS3: arrows, Home/End and F1..F4 in "application" mode
 *
 * Reads can split any of these at any byte, so the parser keeps the unfinished
 * tail and waits. The one real ambiguity is ESC: the Escape key and the start
 * of a sequence are the same byte, so a trailing ESC (or any unfinished
 * sequence) becomes final only when nothing followed it within `escTimeoutMs`.
 * Time is passed in (`now`) rather than read, so tests need no sleeps and the
 * outcome depends only on the timestamps: the caller feeds each read with its
 * arrival time and calls `flush()` once `pendingDeadline` has passed.
 */
import { PASTE_END } from "./ansi.ts";

export interface KeyEvent {
  type: "key";
  /**
   * A printable character as typed ("a", "A", "中", "😀"; one code point per
   * event), or a name: enter, tab, backtab, backspace, escape, up, down, left,
   * right, home, end, pageup, pagedown, insert, delete, f1..f12.
   * Ctrl-letters use the lower-case letter with `ctrl` set (Ctrl-C = "c");
   * Ctrl-Space is " " with `ctrl`.
   */
  key: string;
  ctrl: boolean;
  alt: boolean;
  /** Set for named keys (Shift-Up, backtab); printable keys carry their case instead. */
  shift: boolean;
}

export interface PasteEvent {
  type: "paste";
  /** The pasted text, newlines normalized to "\n" (terminals send CR). */
  text: string;
}

export type MouseButton =
  | "left"
  | "middle"
  | "right"
  | "none"
  | "wheelup"
  | "wheeldown"
  | "wheelleft"
  | "wheelright";

export interface MouseEvent {
  type: "mouse";
  action: "press" | "release" | "drag" | "move" | "wheel";
  button: MouseButton;
  /** 0-based cell column and row. */
  x: number;
  y: number;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
}

export type InputEvent = KeyEvent | PasteEvent | MouseEvent;

export interface KeyParserOptions {
  /** How long an unfinished ESC sequence may wait for its next byte (ms). */
  escTimeoutMs?: number;
  /**
   * How long a bracketed paste may wait for more bytes before it is emitted
   * as is (ms); guards against a lost end marker swallowing all later input.
   */
  pasteTimeoutMs?: number;
}

/** Builds a key event; handy for keymaps and tests. */
export function makeKey(
  key: string,
  { ctrl = false, alt = false, shift = false }: { ctrl?: boolean; alt?: boolean; shift?: boolean } =
    {},
): KeyEvent {
  return { type: "key", key, ctrl, alt, shift };
}

/**
 * A key as users write it in keymaps and help: "ctrl+c", "alt+x",
 * "shift+tab", "ctrl+shift+up", "space", "G", "中". Modifier order is
 * ctrl, alt, shift.
 */
export function formatKey(ev: KeyEvent): string {
  let name = ev.key === " " ? "space" : ev.key;
  let shift = ev.shift;
  if (ev.key === "backtab") {
    name = "tab";
    shift = true;
  }
  return (ev.ctrl ? "ctrl+" : "") + (ev.alt ? "alt+" : "") + (shift ? "shift+" : "") + name;
}

const ESC = 0x1b;
/** Sequence parameters are ASCII; one shared decoder for them. */
const latin1 = new TextDecoder("latin1");
const PASTE_END_BYTES = new TextEncoder().encode(PASTE_END);
/** Longer unfinished CSI sequences are garbage, not a slow terminal. */
const MAX_CSI_LENGTH = 64;

/** `CSI n ~` numbers (xterm, VT220, rxvt F1..F4). */
const TILDE_KEYS: Record<number, string> = {
  1: "home",
  2: "insert",
  3: "delete",
  4: "end",
  5: "pageup",
  6: "pagedown",
  7: "home",
  8: "end",
  11: "f1",
  12: "f2",
  13: "f3",
  14: "f4",
  15: "f5",
  17: "f6",
  18: "f7",
  19: "f8",
  20: "f9",
  21: "f10",
  23: "f11",
  24: "f12",
};

/** Final bytes of `CSI [1;m] X` and `SS3 X`. */
const LETTER_KEYS: Record<string, string> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  P: "f1",
  Q: "f2",
  R: "f3",
  S: "f4",
};

/** Linux console: `ESC [ [ A`..`E` = F1..F5. */
const LINUX_F_KEYS: Record<string, string> = { A: "f1", B: "f2", C: "f3", D: "f4", E: "f5" };

/** Ctrl with the punctuation keys that map to 0x1c..0x1f. */
const CTRL_PUNCT: Record<number, string> = { 0x1c: "\\", 0x1d: "]", 0x1e: "^", 0x1f: "_" };

/** One parsed item: how many bytes it used, and the event (if any; unknown sequences are dropped). */
interface Parsed {
  consumed: number;
  event?: InputEvent;
  /** The bytes were `CSI 200 ~`: what follows is pasted text. */
  pasteStart?: boolean;
}

export class KeyParser {
  readonly #escTimeoutMs: number;
  readonly #pasteTimeoutMs: number;
  /** Bytes received but not yet turned into events. */
  #pending: Uint8Array = new Uint8Array(0);
  /** Pasted bytes so far while inside a bracketed paste, else null. */
  #paste: Uint8Array[] | null = null;
  #lastInputAt = 0;

  constructor({ escTimeoutMs = 30, pasteTimeoutMs = 3000 }: KeyParserOptions = {}) {
    this.#escTimeoutMs = escTimeoutMs;
    this.#pasteTimeoutMs = pasteTimeoutMs;
  }

  /**
   * When the pending bytes (a lone ESC, an unfinished sequence or UTF-8
   * character, an unterminated paste) become final; null when nothing waits.
   */
  get pendingDeadline(): number | null {
    if (this.#paste !== null) return this.#lastInputAt + this.#pasteTimeoutMs;
    if (this.#pending.length === 0) return null;
    return this.#lastInputAt + this.#escTimeoutMs;
  }

  /** Parses one read from the terminal, received at `now` (ms). */
  feed(bytes: Uint8Array, now: number): InputEvent[] {
    const events: InputEvent[] = [];
    // Bytes that waited past their deadline are final, whether or not the
    // caller's timer ran before this read: the result depends on time only.
    const deadline = this.pendingDeadline;
    if (deadline !== null && now >= deadline) this.#drain(events, true);
    this.#pending = concat(this.#pending, bytes);
    this.#lastInputAt = now;
    this.#drain(events, false);
    return events;
  }

  /** Emits what is pending if its deadline has passed at `now`; else nothing. */
  flush(now: number): InputEvent[] {
    const deadline = this.pendingDeadline;
    if (deadline === null || now < deadline) return [];
    const events: InputEvent[] = [];
    this.#drain(events, true);
    return events;
  }

  /** Parses as much of the pending bytes as possible; `final` = no more bytes will complete them. */
  #drain(events: InputEvent[], final: boolean): void {
    while (true) {
      if (this.#paste !== null) {
        if (!this.#drainPaste(events, final)) return;
        continue;
      }
      if (this.#pending.length === 0) return;
      const parsed = parseOne(this.#pending, final);
      if (parsed === null) return;
      if (parsed.event) events.push(parsed.event);
      if (parsed.pasteStart) this.#paste = [];
      this.#pending = this.#pending.subarray(parsed.consumed);
    }
  }

  /** Moves pending bytes into the paste; true when the paste ended and parsing goes on. */
  #drainPaste(events: InputEvent[], final: boolean): boolean {
    const paste = this.#paste!;
    const end = indexOf(this.#pending, PASTE_END_BYTES);
    if (end >= 0 || final) {
      const stop = end >= 0 ? end : this.#pending.length;
      paste.push(this.#pending.slice(0, stop));
      this.#pending = this.#pending.subarray(end >= 0 ? end + PASTE_END_BYTES.length : stop);
      this.#paste = null;
      events.push({ type: "paste", text: decodePaste(paste) });
      return true;
    }
    // Keep a tail that may be the start of a split end marker.
    const keep = partialSuffix(this.#pending, PASTE_END_BYTES);
    paste.push(this.#pending.slice(0, this.#pending.length - keep));
    this.#pending = this.#pending.slice(this.#pending.length - keep);
    return false;
  }
}

/** Parses the item at the start of `buf` (non-empty); null = unfinished, wait for more bytes. */
function parseOne(buf: Uint8Array, final: boolean): Parsed | null {
  const b = buf[0]!;
  if (b === ESC) return parseEscape(buf, final);
  return parsePlain(buf, final);
}

/** A byte that does not start an escape sequence: control byte or UTF-8 character. */
function parsePlain(buf: Uint8Array, final: boolean): Parsed | null {
  const b = buf[0]!;
  if (b === 0x0d || b === 0x0a) return key(1, "enter");
  if (b === 0x09) return key(1, "tab");
  if (b === 0x7f || b === 0x08) return key(1, "backspace");
  if (b === 0x00) return key(1, " ", { ctrl: true });
  if (b >= 0x01 && b <= 0x1a) return key(1, String.fromCharCode(0x60 + b), { ctrl: true });
  const punct = CTRL_PUNCT[b];
  if (punct !== undefined) return key(1, punct, { ctrl: true });
  const decoded = decodeUtf8(buf, final);
  if (decoded === null) return null;
  return key(decoded.length, decoded.text);
}

function parseEscape(buf: Uint8Array, final: boolean): Parsed | null {
  if (buf.length === 1) return final ? key(1, "escape") : null;
  const next = buf[1]!;
  if (next === 0x5b /* [ */) return parseCsi(buf) ?? (final ? key(2, "[", ALT) : null);
  if (next === 0x4f /* O */) return parseSs3(buf) ?? (final ? key(2, "O", ALT) : null);
  // ESC ESC: the first one is the Escape key; the second starts over.
  if (next === ESC) return key(1, "escape");
  const inner = parsePlain(buf.subarray(1), final);
  if (inner === null) return null;
  const ev = inner.event as KeyEvent;
  return { consumed: inner.consumed + 1, event: { ...ev, alt: true } };
}

/** `ESC O` + optional modifier digits + final letter. */
function parseSs3(buf: Uint8Array): Parsed | null {
  let i = 2;
  while (i < buf.length && isDigit(buf[i]!)) i++;
  if (i >= buf.length) return null;
  const f = buf[i]!;
  if (f < 0x40 || f > 0x7e) return key(2, "O", ALT); // not SS3 after all: Alt-O
  const name = LETTER_KEYS[String.fromCharCode(f)];
  const digits = i > 2 ? latin1.decode(buf.subarray(2, i)) : "";
  if (name === undefined) return { consumed: i + 1 }; // keypad etc.: dropped
  return key(i + 1, name, modifiers(digits));
}

function parseCsi(buf: Uint8Array): Parsed | null {
  if (buf.length > 2 && buf[2] === 0x5b) {
    // Linux console F1..F5: ESC [ [ A..E
    if (buf.length < 4) return null;
    const name = LINUX_F_KEYS[String.fromCharCode(buf[3]!)];
    return name ? key(4, name) : { consumed: 4 };
  }
  let i = 2;
  while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x3f) i++; // parameter bytes
  const paramsEnd = i;
  while (i < buf.length && buf[i]! >= 0x20 && buf[i]! <= 0x2f) i++; // intermediate bytes
  if (i >= buf.length) {
    // Unfinished; a very long one is garbage: keep the bytes as Alt-[ + text.
    return i > MAX_CSI_LENGTH ? key(2, "[", ALT) : null;
  }
  const f = buf[i]!;
  // A byte that cannot be in a CSI sequence: it was Alt-[ followed by typing.
  if (f < 0x40 || f > 0x7e) return key(2, "[", ALT);
  const consumed = i + 1;
  const params = latin1.decode(buf.subarray(2, paramsEnd));
  const final = String.fromCharCode(f);
  if (paramsEnd !== i) return { consumed }; // intermediates: nothing we know
  if (params.startsWith("<")) return parseSgrMouse(consumed, params.slice(1), final);
  if (/[^0-9;]/.test(params)) return { consumed }; // other private replies: dropped
  const nums = params.split(";");
  const mods = modifiers(nums[1] ?? "");
  if (final === "~") {
    const n = Number(nums[0]);
    if (n === 200) return { consumed, pasteStart: true };
    const name = TILDE_KEYS[n];
    return name ? key(consumed, name, mods) : { consumed };
  }
  if (final === "Z") return key(consumed, "backtab", { ...mods, shift: true });
  if (final === "u") return parseCsiU(consumed, nums[0] ?? "", mods);
  const name = LETTER_KEYS[final];
  return name ? key(consumed, name, mods) : { consumed };
}

/** `CSI codepoint ; mods u` (fixterms / kitty keyboard protocol, basic form). */
function parseCsiU(consumed: number, code: string, mods: Mods): Parsed {
  const cp = Number(code);
  if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff) return { consumed };
  const named: Record<number, string> = { 13: "enter", 9: "tab", 27: "escape", 127: "backspace" };
  const name = named[cp];
  if (name !== undefined) return key(consumed, name, mods);
  if (cp < 0x20) return { consumed };
  return key(consumed, String.fromCodePoint(cp), mods);
}

/** `CSI < b ; x ; y M` (press/motion) or `m` (release), coordinates 1-based. */
function parseSgrMouse(consumed: number, params: string, final: string): Parsed {
  const parts = params.split(";").map(Number);
  const [b, x, y] = parts;
  if (
    parts.length !== 3 || b === undefined || x === undefined || y === undefined ||
    !parts.every(Number.isInteger) || (final !== "M" && final !== "m")
  ) {
    return { consumed };
  }
  const mods = { shift: (b & 4) !== 0, alt: (b & 8) !== 0, ctrl: (b & 16) !== 0 };
  const low = b & 3;
  let action: MouseEvent["action"];
  let button: MouseButton;
  if (b & 64) {
    action = "wheel";
    button = (["wheelup", "wheeldown", "wheelleft", "wheelright"] as const)[low]!;
  } else {
    button = b & 128 ? "none" : (["left", "middle", "right", "none"] as const)[low]!;
    if (b & 32) action = button === "none" ? "move" : "drag";
    else action = final === "m" ? "release" : "press";
  }
  return {
    consumed,
    event: { type: "mouse", action, button, x: Math.max(0, x - 1), y: Math.max(0, y - 1), ...mods },
  };
}

interface Mods {
  ctrl?: boolean;
  alt?: boolean;
  shift?: boolean;
}

const ALT: Mods = { alt: true };

/** xterm modifier parameter: 1 + (shift=1 | alt=2 | ctrl=4 | meta=8); meta counts as alt. */
function modifiers(param: string): Mods {
  const m = Number(param);
  if (!Number.isInteger(m) || m < 2) return {};
  const bits = m - 1;
  return { shift: (bits & 1) !== 0, alt: (bits & 10) !== 0, ctrl: (bits & 4) !== 0 };
}

function key(consumed: number, name: string, mods: Mods = {}): Parsed {
  return { consumed, event: makeKey(name, mods) };
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/**
 * Decodes one UTF-8 character at the start of `buf`. Invalid bytes become
 * U+FFFD (one per maximal invalid subpart, as TextDecoder does); an
 * unfinished but so far valid character returns null unless `final`.
 */
function decodeUtf8(buf: Uint8Array, final: boolean): { text: string; length: number } | null {
  const b0 = buf[0]!;
  if (b0 < 0x80) return { text: String.fromCharCode(b0), length: 1 };
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  let cp: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 1;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    cp = b0 & 0x0f;
    if (b0 === 0xe0) lo = 0xa0; // overlong
    if (b0 === 0xed) hi = 0x9f; // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 === 0xf0) lo = 0x90; // overlong
    if (b0 === 0xf4) hi = 0x8f; // above U+10FFFF
  } else {
    return { text: "\ufffd", length: 1 };
  }
  for (let k = 1; k <= need; k++) {
    if (k >= buf.length) return final ? { text: "\ufffd", length: k } : null;
    const b = buf[k]!;
    if (b < lo || b > hi) return { text: "\ufffd", length: k };
    cp = (cp << 6) | (b & 0x3f);
    lo = 0x80;
    hi = 0xbf;
  }
  return { text: String.fromCodePoint(cp), length: need + 1 };
}

function decodePaste(chunks: Uint8Array[]): string {
  const text = new TextDecoder().decode(concat(...chunks));
  return text.replace(/\r\n?/g, "\n");
}

/** Always a fresh copy: callers may reuse their read buffer after `feed()` returns. */
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (hay[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/** Length of the longest suffix of `hay` that is a proper prefix of `needle`. */
function partialSuffix(hay: Uint8Array, needle: Uint8Array): number {
  for (let n = Math.min(needle.length - 1, hay.length); n > 0; n--) {
    let match = true;
    for (let j = 0; j < n; j++) {
      if (hay[hay.length - n + j] !== needle[j]) {
        match = false;
        break;
      }
    }
    if (match) return n;
  }
  return 0;
}
