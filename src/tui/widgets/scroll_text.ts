/**
 * Styled lines in a rect, wrapped at word boundaries and scrolled from an
 * offset: for text that must be read whole however narrow or short the
 * screen (a task's detail, explanations). A wrapped line keeps its
 * indentation on every row. When the text does not fit, the last row says
 * how many rows are above and below instead of cutting silently; the caller
 * owns the keys and asks `scrollTextLayout()` how far the text can scroll,
 * with the same inputs the render uses.
 */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { stringWidth, wrapText } from "../width.ts";

export interface StyledLine {
  text: string;
  style?: Style;
}

/** Each line wrapped to `width`, its leading blanks repeated on its continuation rows. */
export function wrapLines(lines: readonly StyledLine[], width: number): StyledLine[] {
  return lines.flatMap((line) => {
    // A line that fits keeps its spacing (columns line up); only long ones are re-flowed.
    if (stringWidth(line.text) <= width) return [line];
    const indent = /^ */.exec(line.text)![0];
    const room = Math.max(1, width - stringWidth(indent));
    const rows = wrapText(line.text.slice(indent.length), room);
    return rows.map((text) => ({ text: indent + text, style: line.style }));
  });
}

export interface ScrollTextLayout {
  rows: StyledLine[];
  /** Rows of text shown at once (one less than the rect when a note is needed). */
  visible: number;
  /** The largest useful offset: 0 when everything fits. */
  maxOffset: number;
}

export function scrollTextLayout(lines: readonly StyledLine[], rect: Rect): ScrollTextLayout {
  const rows = wrapLines(lines, rect.width);
  if (rows.length <= rect.height) return { rows, visible: rect.height, maxOffset: 0 };
  const visible = Math.max(0, rect.height - 1);
  return { rows, visible, maxOffset: Math.max(0, rows.length - visible) };
}

/** Draws the rows from `offset` (clamped); returns the offset used. */
export function renderScrollText(
  buf: ScreenBuffer,
  rect: Rect,
  { lines, offset = 0, symbols = symbolsFor(true) }: {
    lines: readonly StyledLine[];
    offset?: number;
    symbols?: Symbols;
  },
): number {
  if (rect.width <= 0 || rect.height <= 0) return 0;
  const layout = scrollTextLayout(lines, rect);
  const from = Math.max(0, Math.min(offset, layout.maxOffset));
  const shown = layout.rows.slice(from, from + layout.visible);
  shown.forEach((row, i) => buf.setString(rect.x, rect.y + i, row.text, row.style, rect.width));
  if (layout.maxOffset > 0) {
    const note = scrollNote(from, shown.length, layout.rows.length, symbols);
    buf.setString(rect.x, rect.y + rect.height - 1, note, { dim: true }, rect.width);
  }
  return from;
}

/** `↑ 3 more above  ↓ 5 more below` for rows out of view, else "". */
export function scrollNote(offset: number, shown: number, total: number, symbols: Symbols): string {
  const parts = [];
  if (offset > 0) parts.push(`${symbols.arrowUp} ${offset} more above`);
  const below = total - offset - shown;
  if (below > 0) parts.push(`${symbols.arrowDown} ${below} more below`);
  return parts.join("  ");
}

/**
 * How far a key scrolls text, by its `formatKey` name: arrows and j/k one
 * row, PgUp/PgDn a `page`, Home/End all the way; undefined for other keys.
 */
export function scrollDelta(key: string, page: number): number | undefined {
  switch (key) {
    case "up":
    case "k":
      return -1;
    case "down":
    case "j":
      return 1;
    case "pageup":
      return -page;
    case "pagedown":
      return page;
    case "home":
      return -Infinity;
    case "end":
      return Infinity;
  }
  return undefined;
}
