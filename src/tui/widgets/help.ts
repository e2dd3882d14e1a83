/** The help overlay: a centered box listing key / description pairs. Esc closing it is the app's. */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { padToWidth, stringWidth } from "../width.ts";
import { renderOverlayBox } from "./overlay.ts";

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
  symbols?: Symbols;
  style?: Style;
  /** Default: bold. */
  keyStyle?: Style;
}

/** Draws the overlay centered in `area`; returns the box it drew. */
export function renderHelp(buf: ScreenBuffer, area: Rect, props: HelpProps): Rect {
  const symbols = props.symbols ?? symbolsFor(true);
  const footer = props.footer ?? "Esc closes";
  const keyWidth = Math.max(0, ...props.entries.map((e) => stringWidth(e.key)));
  const descWidth = Math.max(0, ...props.entries.map((e) => stringWidth(e.description)));
  const contentWidth = Math.max(
    keyWidth + 2 + descWidth,
    stringWidth(footer),
    stringWidth(props.title ?? "Help") + 2,
  );
  // Border + one blank column each side; entries, a blank row, the footer.
  const { box, inner } = renderOverlayBox(buf, area, {
    width: contentWidth + 4,
    height: props.entries.length + 4,
    title: props.title ?? "Help",
    symbols,
    style: props.style,
  });
  const x = inner.x + 1;
  const width = Math.max(0, inner.width - 2);
  const rows = Math.max(0, inner.height - 2);
  const shown = props.entries.length > rows ? Math.max(0, rows - 1) : props.entries.length;
  for (let i = 0; i < shown; i++) {
    const e = props.entries[i]!;
    const y = inner.y + i;
    const after = buf.setString(
      x,
      y,
      padToWidth(e.key, keyWidth),
      props.keyStyle ?? { bold: true },
      width,
    );
    buf.setString(after + 2, y, e.description, undefined, Math.max(0, x + width - after - 2));
  }
  if (shown < props.entries.length && rows > 0) {
    buf.setString(x, inner.y + shown, `${symbols.ellipsis} ${props.entries.length - shown} more`, {
      dim: true,
    }, width);
  }
  if (inner.height >= 1) buf.setString(x, inner.y + inner.height - 1, footer, { dim: true }, width);
  return box;
}
