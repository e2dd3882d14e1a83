/**
 * The cell grid a frame is drawn into. A cell is a symbol (one grapheme: a
 * base character plus any combining marks), a width, colors and attributes.
 * A wide (East Asian) character occupies two cells: the leading cell holds
 * the symbol with width 2, the cell after it is a continuation (symbol "",
 * width 0) with the same style. The buffer keeps that pairing intact: writing
 * over either half of a wide character turns the other half into a space, so
 * the diff never sees an orphaned half.
 *
 * Storage is packed (a string array plus typed arrays) because the diff
 * compares every cell of every frame.
 */
import { charWidth } from "./width.ts";
import { DEFAULT_COLOR, packColor, patchAttrs, type Style, unpackStyle } from "./style.ts";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Cell {
  /** What is drawn; "" for the continuation half of a wide character. */
  symbol: string;
  /** 1, 2 for a wide character's leading cell, 0 for its continuation. */
  width: 0 | 1 | 2;
  /** Only the fields that differ from the terminal default. */
  style: Style;
}

/** The packed form of a Style for the write paths: which fields to set to what. */
interface PackedPatch {
  fg: number | null;
  bg: number | null;
  /** Attribute bits the style mentions (true or false). */
  attrMask: number;
  /** Attribute bits the style sets to true. */
  attrSet: number;
}

const ALL_ATTRS = 0xff;

function packPatch(style: Style | undefined): PackedPatch {
  if (style === undefined) return { fg: null, bg: null, attrMask: 0, attrSet: 0 };
  const attrSet = patchAttrs(0, style);
  const attrMask = attrSet | (~patchAttrs(ALL_ATTRS, style) & ALL_ATTRS);
  return {
    fg: style.fg === undefined ? null : packColor(style.fg),
    bg: style.bg === undefined ? null : packColor(style.bg),
    attrMask,
    attrSet,
  };
}

export class ScreenBuffer {
  #width = 0;
  #height = 0;
  /** Packed storage, read by the diff. Write through the methods only. */
  symbols: string[] = [];
  /** 0 = continuation of a wide character, 1, 2 = wide leading cell. */
  widths: Uint8Array = new Uint8Array(0);
  fg: Int32Array = new Int32Array(0);
  bg: Int32Array = new Int32Array(0);
  attrs: Uint8Array = new Uint8Array(0);

  constructor(width: number, height: number) {
    this.resize(width, height);
  }

  get width(): number {
    return this.#width;
  }

  get height(): number {
    return this.#height;
  }

  get area(): Rect {
    return { x: 0, y: 0, width: this.#width, height: this.#height };
  }

  /** Changes the size; the content is cleared (a frame is redrawn from scratch anyway). */
  resize(width: number, height: number): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
      throw new RangeError(`Bad buffer size ${width}x${height}: expected non-negative integers`);
    }
    this.#width = width;
    this.#height = height;
    const n = width * height;
    this.symbols = new Array<string>(n);
    this.widths = new Uint8Array(n);
    this.fg = new Int32Array(n);
    this.bg = new Int32Array(n);
    this.attrs = new Uint8Array(n);
    this.clear();
  }

  /** Every cell back to a space in the default style. */
  clear(): void {
    this.symbols.fill(" ");
    this.widths.fill(1);
    this.fg.fill(DEFAULT_COLOR);
    this.bg.fill(DEFAULT_COLOR);
    this.attrs.fill(0);
  }

  /** Makes this buffer an exact copy of `other` (same size, same cells). */
  copyFrom(other: ScreenBuffer): void {
    if (other.width !== this.#width || other.height !== this.#height) {
      this.#width = other.width;
      this.#height = other.height;
      this.widths = new Uint8Array(other.widths);
      this.fg = new Int32Array(other.fg);
      this.bg = new Int32Array(other.bg);
      this.attrs = new Uint8Array(other.attrs);
    } else {
      this.widths.set(other.widths);
      this.fg.set(other.fg);
      this.bg.set(other.bg);
      this.attrs.set(other.attrs);
    }
    this.symbols = other.symbols.slice();
  }

  /** The cell at (x, y); throws a RangeError outside the buffer. */
  cell(x: number, y: number): Readonly<Cell> {
    if (x < 0 || y < 0 || x >= this.#width || y >= this.#height) {
      throw new RangeError(
        `Cell (${x}, ${y}) is outside the ${this.#width}x${this.#height} buffer`,
      );
    }
    const i = y * this.#width + x;
    return {
      symbol: this.symbols[i]!,
      width: this.widths[i] as 0 | 1 | 2,
      style: unpackStyle(this.fg[i]!, this.bg[i]!, this.attrs[i]!),
    };
  }

  /**
   * Writes `text` from (x, y) on one row, clipped to the buffer and to
   * `maxWidth` cells. The style is merged over what the cells had (unset
   * fields keep the cell's value, like ratatui's set_string). Wide characters
   * take two cells; one that would straddle the clip edge becomes a space.
   * Combining marks join the previous character; control characters are
   * dropped. Returns the x after the last cell written.
   */
  setString(x: number, y: number, text: string, style?: Style, maxWidth?: number): number {
    if (y < 0 || y >= this.#height) return x;
    const limit = Math.min(this.#width, maxWidth === undefined ? Infinity : x + maxWidth);
    const patch = packPatch(style);
    const row = y * this.#width;
    let cx = x;
    let last = -1;
    for (let k = 0; k < text.length && cx < limit; k++) {
      const cp = text.codePointAt(k)!;
      let symbol: string;
      if (cp > 0xffff) {
        symbol = text.slice(k, k + 2);
        k++;
      } else {
        symbol = text[k]!;
      }
      const w = charWidth(cp);
      if (w === 0) {
        // A combining mark belongs to the character before it; a control
        // character (also width 0) is never drawn.
        if (last >= 0 && cp >= 0xa0) this.symbols[last] += symbol;
        continue;
      }
      if (cx + w > limit) {
        if (cx >= 0) this.#put(row, cx, " ", 1, patch, false);
        cx++;
        break;
      }
      if (cx < 0) {
        // A wide character straddling the left edge: its visible half is a space.
        if (cx + w > 0) this.#put(row, 0, " ", 1, patch, false);
        cx += w;
        last = -1;
        continue;
      }
      this.#put(row, cx, symbol, w, patch, false);
      last = row + cx;
      cx += w;
    }
    return cx;
  }

  /** Merges `style` over every cell of `rect` (e.g. to highlight a row). */
  setStyle(rect: Rect, style: Style): void {
    const patch = packPatch(style);
    const { x0, y0, x1, y1 } = this.#clip(rect);
    for (let y = y0; y < y1; y++) {
      const row = y * this.#width;
      for (let x = x0; x < x1; x++) this.#patchStyle(row + x, patch);
      // Both halves of a wide character share one style (the terminal draws
      // one glyph), so a rect edge through a wide character styles all of it.
      if (x0 < x1) {
        if (this.widths[row + x0] === 0 && x0 > 0) this.#patchStyle(row + x0 - 1, patch);
        if (this.widths[row + x1 - 1] === 2 && x1 < this.#width) this.#patchStyle(row + x1, patch);
      }
    }
  }

  /**
   * Sets every cell of `rect` to `symbol` in exactly `style` (unset fields
   * are the default, not the old value: a fill paints over what was there,
   * which is what an overlay or a cleared panel needs).
   */
  fill(rect: Rect, symbol: string, style: Style = {}): void {
    const patch = packPatch({ fg: "default", bg: "default", ...style });
    patch.attrMask = ALL_ATTRS;
    // One character per cell: the first of `symbol` (a space if it has none
    // that takes a cell), so a cell never holds text of another width.
    const cp = symbol.codePointAt(0) ?? 32;
    let w = charWidth(cp);
    symbol = w === 0 ? " " : String.fromCodePoint(cp);
    if (w === 0) w = 1;
    const { x0, y0, x1, y1 } = this.#clip(rect);
    if (x0 >= x1) return;
    for (let y = y0; y < y1; y++) {
      const row = y * this.#width;
      if (w !== 1) {
        // Wide fill: as many whole characters as fit, the rest spaces.
        this.fill({ x: x0, y, width: x1 - x0, height: 1 }, " ", style);
        this.setString(x0, y, symbol.repeat(Math.floor((x1 - x0) / 2)), style, x1 - x0);
        continue;
      }
      for (let x = x0; x < x1; x++) this.#put(row, x, symbol, 1, patch, true);
    }
  }

  /** Plain text rows as a person sees them: trailing spaces kept, wide continuations omitted. */
  toLines(): string[] {
    const lines: string[] = [];
    for (let y = 0; y < this.#height; y++) {
      let line = "";
      const row = y * this.#width;
      for (let x = 0; x < this.#width; x++) {
        if (this.widths[row + x] !== 0) line += this.symbols[row + x];
      }
      lines.push(line);
    }
    return lines;
  }

  #clip(rect: Rect): { x0: number; y0: number; x1: number; y1: number } {
    return {
      x0: Math.max(0, rect.x),
      y0: Math.max(0, rect.y),
      x1: Math.min(this.#width, rect.x + rect.width),
      y1: Math.min(this.#height, rect.y + rect.height),
    };
  }

  #patchStyle(i: number, patch: PackedPatch): void {
    if (patch.fg !== null) this.fg[i] = patch.fg;
    if (patch.bg !== null) this.bg[i] = patch.bg;
    this.attrs[i] = (this.attrs[i]! & ~patch.attrMask) | patch.attrSet;
  }

  /** Writes one character of width `w` at column x of the row starting at `row`. */
  #put(row: number, x: number, symbol: string, w: number, patch: PackedPatch, replace: boolean) {
    const i = row + x;
    // Writing over the continuation half of a wide character: its leading
    // half would be left alone on screen, so it becomes a space.
    if (this.widths[i] === 0 && x > 0) {
      this.symbols[i - 1] = " ";
      this.widths[i - 1] = 1;
    }
    // Writing over a leading half (or over the cell before a wide character
    // with a wide one): the continuation after the covered cells is orphaned.
    const after = x + w;
    if (after < this.#width && this.widths[row + after] === 0) {
      this.symbols[row + after] = " ";
      this.widths[row + after] = 1;
    }
    if (replace) {
      this.fg[i] = patch.fg!;
      this.bg[i] = patch.bg!;
      this.attrs[i] = patch.attrSet;
    } else {
      this.#patchStyle(i, patch);
    }
    this.symbols[i] = symbol;
    this.widths[i] = w;
    if (w === 2) {
      this.symbols[i + 1] = "";
      this.widths[i + 1] = 0;
      this.fg[i + 1] = this.fg[i]!;
      this.bg[i + 1] = this.bg[i]!;
      this.attrs[i + 1] = this.attrs[i]!;
    }
  }
}
