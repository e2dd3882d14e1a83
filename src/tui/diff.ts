/**
 * Frame diff: turns the next ScreenBuffer into the escape bytes that change
 * what the terminal shows from the previous frame to this one, and nothing
 * more. Only changed cells are written; the cursor is moved only when it is
 * not already where the next cell goes (writing a cell advances it, so a run
 * of changed cells needs one move); SGR is emitted only when the style
 * changes, adding only what is new (a reset first when an attribute turns
 * off); colors are downgraded to the terminal's level. A non-empty frame is wrapped
 * in synchronized output so the terminal shows it at once, and an unchanged
 * frame produces no bytes at all.
 */
import { CLEAR_SCREEN, SGR_RESET, SYNC_BEGIN, SYNC_END } from "./ansi.ts";
import { ScreenBuffer } from "./buffer.ts";
import {
  ATTR_BOLD,
  ATTR_DIM,
  ATTR_ITALIC,
  ATTR_REVERSE,
  ATTR_UNDERLINE,
  type ColorLevel,
  DEFAULT_COLOR,
  downgradePacked,
  TRUECOLOR,
} from "./style.ts";

export interface RendererOptions {
  /** Colors are downgraded to this level; "none" writes no color SGR at all. Default truecolor. */
  colorLevel?: ColorLevel;
  /** Wrap frames in `CSI ? 2026 h/l` (synchronized output). Default true. */
  synchronized?: boolean;
}

const RESET_AND_CLEAR = SGR_RESET + CLEAR_SCREEN;
const decoder = new TextDecoder();

const ATTR_CODES: [number, string][] = [
  [ATTR_BOLD, "1"],
  [ATTR_DIM, "2"],
  [ATTR_ITALIC, "3"],
  [ATTR_UNDERLINE, "4"],
  [ATTR_REVERSE, "7"],
];

/** SGR parameters for every combination of attribute bits ("1;4" for bold + underline). */
const ATTR_SGR: readonly string[] = Array.from(
  { length: 32 },
  (_, bits) => ATTR_CODES.filter(([bit]) => bits & bit).map(([, code]) => code).join(";"),
);

function colorCode(packed: number, background: boolean): string {
  if (packed === DEFAULT_COLOR) return background ? "49" : "39";
  if (packed >= TRUECOLOR) {
    const rgb = packed & 0xffffff;
    return `${background ? 48 : 38};2;${rgb >> 16};${(rgb >> 8) & 255};${rgb & 255}`;
  }
  if (packed < 8) return String((background ? 40 : 30) + packed);
  if (packed < 16) return String((background ? 100 : 90) + packed - 8);
  return `${background ? 48 : 38};5;${packed}`;
}

/** SGR parameters of the default color (index 0) and the 256 palette colors (index c + 1). */
const FG_PALETTE: readonly string[] = Array.from(
  { length: 257 },
  (_, i) => colorCode(i - 1, false),
);
const BG_PALETTE: readonly string[] = Array.from({ length: 257 }, (_, i) => colorCode(i - 1, true));

/**
 * Writes frames to one terminal. It remembers the last frame, where it left
 * the cursor and which SGR is active, so anything else written to the
 * terminal in between (a shell command, a cleared screen) must be followed by
 * `invalidate()`.
 */
export class Renderer {
  readonly colorLevel: ColorLevel;
  readonly synchronized: boolean;
  #prev: ScreenBuffer | null = null;
  #full = true;
  // Cursor position; -1 = unknown (start, after a full clear, or after
  // writing the last column, where terminals keep a pending wrap).
  #cx = -1;
  #cy = -1;
  // Active SGR in downgraded packed form (set by the first, full, frame).
  #penFg = DEFAULT_COLOR;
  #penBg = DEFAULT_COLOR;
  #penAttrs = 0;
  #fgCodes = new Map<number, string>();
  #bgCodes = new Map<number, string>();
  #out = new ByteSink();

  constructor({ colorLevel = "truecolor", synchronized = true }: RendererOptions = {}) {
    this.colorLevel = colorLevel;
    this.synchronized = synchronized;
  }

  /** Makes the next render() a full redraw (clear screen, then every non-blank cell). */
  invalidate(): void {
    this.#full = true;
  }

  /**
   * The bytes that turn the previous frame into `next` (a fresh array the
   * caller may keep); empty when nothing changed.
   */
  renderBytes(next: ScreenBuffer): Uint8Array {
    const out = this.#out;
    out.length = 0;
    const width = next.width;
    const height = next.height;
    let prev = this.#prev;
    if (this.synchronized) out.ascii(SYNC_BEGIN);
    const empty = out.length;
    if (this.#full || prev === null || prev.width !== width || prev.height !== height) {
      // After a resize the terminal has reflowed or cut the old content in
      // its own way; the only known state is an empty screen.
      out.ascii(RESET_AND_CLEAR);
      if (prev === null || prev.width !== width || prev.height !== height) {
        prev = new ScreenBuffer(width, height);
        this.#prev = prev;
      } else {
        prev.clear();
      }
      this.#full = false;
      this.#cx = -1;
      this.#cy = -1;
      this.#penFg = DEFAULT_COLOR;
      this.#penBg = DEFAULT_COLOR;
      this.#penAttrs = 0;
    }
    const level = this.colorLevel;
    const colors = level !== "none";
    const nSym = next.symbols, nW = next.widths, nFg = next.fg, nBg = next.bg, nAt = next.attrs;
    const pSym = prev.symbols, pW = prev.widths, pFg = prev.fg, pBg = prev.bg, pAt = prev.attrs;
    let cx = this.#cx, cy = this.#cy;
    let penFg = this.#penFg, penBg = this.#penBg, penAttrs = this.#penAttrs;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const i = row + x;
        const w = nW[i]!;
        // A continuation cell is drawn by its leading cell (one glyph covers
        // both), so it is never written on its own.
        if (w === 0) continue;
        // Without colors a color-only change is invisible, so it is no change.
        let changed = nSym[i] !== pSym[i] || nAt[i] !== pAt[i] || w !== pW[i] ||
          (colors && (nFg[i] !== pFg[i] || nBg[i] !== pBg[i]));
        // A wide character must be rewritten when its continuation half
        // changed even if the leading half did not: on screen they are one
        // glyph, and the old content of the right half (say a narrow
        // character) has to be covered again. The buffer never leaves an
        // orphaned half, so the cell after a changed wide character is
        // itself either a continuation or marked changed, and gets rewritten
        // too: the terminal blanks it when the wide glyph it belonged to is
        // overwritten.
        if (!changed && w === 2) {
          const j = i + 1;
          changed = nSym[j] !== pSym[j] || nAt[j] !== pAt[j] || pW[j] !== 0 ||
            (colors && (nFg[j] !== pFg[j] || nBg[j] !== pBg[j]));
        }
        if (!changed) continue;
        if (cy !== y || cx !== x) {
          if (cy === y && cx >= 0 && cx < x) {
            // Cursor forward on the same row: shorter than an absolute move.
            out.csi();
            if (x - cx > 1) out.num(x - cx);
            out.byte(0x43); // C
          } else {
            // CUP parameters default to 1, so the shortest form leaves them out.
            out.csi();
            if (y > 0 || x > 0) out.num(y + 1);
            if (x > 0) {
              out.byte(0x3b);
              out.num(x + 1);
            }
            out.byte(0x48); // H
          }
        }
        const fg = level === "truecolor" ? nFg[i]! : downgradePacked(nFg[i]!, level);
        const bg = level === "truecolor" ? nBg[i]! : downgradePacked(nBg[i]!, level);
        const attrs = nAt[i]!;
        if (fg !== penFg || bg !== penBg || attrs !== penAttrs) {
          this.#sgr(penFg, penBg, penAttrs, fg, bg, attrs);
          penFg = fg;
          penBg = bg;
          penAttrs = attrs;
        }
        out.text(nSym[i]!);
        cx = x + w;
        cy = y;
        // In the last column the cursor stays put with a pending wrap; where
        // the next character would land depends on the terminal.
        if (cx >= width) cx = -1;
      }
    }
    this.#cx = cx;
    this.#cy = cy;
    this.#penFg = penFg;
    this.#penBg = penBg;
    this.#penAttrs = penAttrs;
    prev.copyFrom(next);
    if (out.length === empty) return new Uint8Array(0);
    if (this.synchronized) out.ascii(SYNC_END);
    return out.bytes.slice(0, out.length);
  }

  /** renderBytes() as a string (for tests and logs). */
  render(next: ScreenBuffer): string {
    return decoder.decode(this.renderBytes(next));
  }

  #sgr(penFg: number, penBg: number, penAttrs: number, fg: number, bg: number, attrs: number) {
    const out = this.#out;
    out.csi();
    let first = true;
    // Attributes have no one-code "off" shared by all (bold and dim share
    // 22), so an attribute turning off means a reset, then setting all.
    if ((penAttrs & ~attrs) !== 0) {
      out.byte(0x30); // 0
      first = false;
      penFg = DEFAULT_COLOR;
      penBg = DEFAULT_COLOR;
      penAttrs = 0;
    }
    const added = attrs & ~penAttrs;
    if (added !== 0) {
      if (!first) out.byte(0x3b);
      out.ascii(ATTR_SGR[added]!);
      first = false;
    }
    if (fg !== penFg) {
      let code = fg < TRUECOLOR ? FG_PALETTE[fg + 1] : this.#fgCodes.get(fg);
      if (code === undefined) this.#fgCodes.set(fg, code = colorCode(fg, false));
      if (!first) out.byte(0x3b);
      out.ascii(code);
      first = false;
    }
    if (bg !== penBg) {
      let code = bg < TRUECOLOR ? BG_PALETTE[bg + 1] : this.#bgCodes.get(bg);
      if (code === undefined) this.#bgCodes.set(bg, code = colorCode(bg, true));
      if (!first) out.byte(0x3b);
      out.ascii(code);
    }
    out.byte(0x6d); // m
  }
}

/**
 * A growable byte buffer written directly (no intermediate strings): a full
 * frame is ~15 bytes a cell, and building then encoding a string costs more
 * than the diff itself.
 */
class ByteSink {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  #ensure(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }

  byte(b: number): void {
    this.#ensure(1);
    this.bytes[this.length++] = b;
  }

  csi(): void {
    this.#ensure(2);
    // CSI ("\x1b[") written byte by byte: this is the hot path of every cursor move.
    this.bytes[this.length++] = 0x1b;
    this.bytes[this.length++] = 0x5b;
  }

  /** A non-negative integer in decimal. */
  num(n: number): void {
    this.#ensure(10);
    if (n >= 100) {
      this.ascii(String(n));
      return;
    }
    if (n >= 10) this.bytes[this.length++] = 0x30 + Math.floor(n / 10);
    this.bytes[this.length++] = 0x30 + (n % 10);
  }

  /** A string known to be ASCII. */
  ascii(s: string): void {
    this.#ensure(s.length);
    for (let i = 0; i < s.length; i++) this.bytes[this.length++] = s.charCodeAt(i);
  }

  /** Any string, UTF-8 encoded. */
  text(s: string): void {
    if (s.length === 1) {
      const c = s.charCodeAt(0);
      if (c < 0x80) {
        this.#ensure(1);
        this.bytes[this.length++] = c;
        return;
      }
    }
    this.#ensure(s.length * 3);
    const b = this.bytes;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          i++;
        }
      } else if (c >= 0xd800 && c < 0xe000) {
        c = 0xfffd; // a lone surrogate cannot be encoded
      }
      if (c < 0x80) {
        b[this.length++] = c;
      } else if (c < 0x800) {
        b[this.length++] = 0xc0 | (c >> 6);
        b[this.length++] = 0x80 | (c & 63);
      } else if (c < 0x10000) {
        b[this.length++] = 0xe0 | (c >> 12);
        b[this.length++] = 0x80 | ((c >> 6) & 63);
        b[this.length++] = 0x80 | (c & 63);
      } else {
        b[this.length++] = 0xf0 | (c >> 18);
        b[this.length++] = 0x80 | ((c >> 12) & 63);
        b[this.length++] = 0x80 | ((c >> 6) & 63);
        b[this.length++] = 0x80 | (c & 63);
      }
    }
  }
}
