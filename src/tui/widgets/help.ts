/**
 * The help overlay: a centered box listing key / description pairs.
 * Descriptions wrap at word boundaries under their own column, so no
 * sentence is cut; when the lines do not fit, the box scrolls from `offset`
 * and says, above the footer, how many lines are above and below. Keys (Esc, scrolling) are the app's: it
 * asks `helpLayout()` how far the box can scroll, with the same inputs the
 * render uses.
 */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { padToWidth, stringWidth, wrapText } from "../width.ts";
import { renderOverlayBox } from "./overlay.ts";
import { scrollNote } from "./scroll_text.ts";

export interface HelpEntry {
  key: string;
  description: string;
}

export interface HelpProps {
  /** Default "Help". */
  title?: string;
  entries: readonly HelpEntry[];
  /** Last line; default "Esc closes". */
  footer?: string;
  /** First line shown (scroll position); clamped to what can scroll. */
  offset?: number;
  symbols?: Symbols;
  style?: Style;
  /** Default: bold. */
  keyStyle?: Style;
}

/** One row of the help text: the key on an entry's first row, blank on its wrapped rows. */
interface HelpLine {
  key: string;
  text: string;
}

export interface HelpLayout {
  /** Box size, border included. */
  width: number;
  height: number;
  keyWidth: number;
  lines: HelpLine[];
  /** Rows for lines inside the box. */
  rows: number;
  /** The largest useful `offset`: 0 when everything fits. */
  maxOffset: number;
}

const ASCII = symbolsFor(false);
/** Border + one blank column each side. */
const PADDING = 4;
/** A blank row and the footer below the lines. */
const FOOTER_ROWS = 2;
/**
 * The key column's widest: a longer key (a command with its arguments) takes
 * a row of its own and its description starts under the column, so one long
 * key does not squeeze every description into a narrow strip.
 */
const KEY_COLUMN_MAX = 20;

/** Sizes the box for `area` and wraps the entries into it. */
export function helpLayout(
  area: Rect,
  { entries, footer, title }: { entries: readonly HelpEntry[]; footer: string; title: string },
): HelpLayout {
  const keyWidth = Math.min(KEY_COLUMN_MAX, Math.max(0, ...entries.map((e) => stringWidth(e.key))));
  const natural = Math.max(
    keyWidth + 2 + Math.max(0, ...entries.map((e) => stringWidth(e.description))),
    ...entries.map((e) => stringWidth(e.key)),
    stringWidth(footer),
    stringWidth(title) + 2,
  );
  const width = Math.min(area.width, natural + PADDING);
  // Never wider than the room the box has: a description wraps, it is never cut at the border.
  const descWidth = Math.max(1, width - PADDING - keyWidth - 2);
  const lines = entries.flatMap((e) => {
    const own = stringWidth(e.key) > keyWidth ? [{ key: e.key, text: "" }] : [];
    const first = own.length > 0 ? "" : e.key;
    return [
      ...own,
      ...wrapText(e.description, descWidth).map((text, i) => ({ key: i === 0 ? first : "", text })),
    ];
  });
  const height = Math.min(area.height, lines.length + FOOTER_ROWS + 2);
  const rows = Math.max(0, height - 2 - FOOTER_ROWS);
  const maxOffset = Math.max(0, lines.length - rows);
  // A box that scrolls is made wide enough for its longest scroll note.
  const note = maxOffset > 0 ? stringWidth(scrollNote(1, 0, lines.length + 1, ASCII)) : 0;
  const boxWidth = Math.min(area.width, Math.max(width, note + PADDING));
  return { width: boxWidth, height, keyWidth, lines, rows, maxOffset };
}

/** Draws the overlay centered in `area`; returns the box it drew. */
export function renderHelp(buf: ScreenBuffer, area: Rect, props: HelpProps): Rect {
  const symbols = props.symbols ?? symbolsFor(true);
  const footer = props.footer ?? "Esc closes";
  const title = props.title ?? "Help";
  const layout = helpLayout(area, { entries: props.entries, footer, title });
  const offset = Math.max(0, Math.min(props.offset ?? 0, layout.maxOffset));
  const { box, inner } = renderOverlayBox(buf, area, {
    width: layout.width,
    height: layout.height,
    title,
    symbols,
    style: props.style,
  });
  const x = inner.x + 1;
  const width = Math.max(0, inner.width - 2);
  const shown = layout.lines.slice(offset, offset + layout.rows);
  shown.forEach((line, i) => {
    const y = inner.y + i;
    // A key wider than the column has its row to itself (see KEY_COLUMN_MAX).
    const key = stringWidth(line.key) > layout.keyWidth
      ? line.key
      : padToWidth(line.key, layout.keyWidth);
    const after = buf.setString(x, y, key, props.keyStyle ?? { bold: true }, width);
    buf.setString(after + 2, y, line.text, undefined, Math.max(0, x + width - after - 2));
  });
  // The blank row above the footer says what is scrolled out of view.
  const more = scrollNote(offset, shown.length, layout.lines.length, symbols);
  if (inner.height >= 2) buf.setString(x, inner.y + inner.height - 2, more, { dim: true }, width);
  if (inner.height >= 1) buf.setString(x, inner.y + inner.height - 1, footer, { dim: true }, width);
  return box;
}
