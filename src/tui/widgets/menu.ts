/**
 * A menu overlay: a titled, centered box listing one line per item with the
 * selection marked, the selected item's description whole (wrapped, up to
 * three lines) below the list, since the list cuts long lines, and a footer
 * naming the keys.
 */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Symbols } from "../symbols.ts";
import { stringWidth, wrapText } from "../width.ts";
import { renderList } from "./list.ts";
import { renderOverlayBox } from "./overlay.ts";

export interface MenuProps {
  title: string;
  items: readonly string[];
  selected: number;
  /** The selected item's text in full, shown under the list. */
  about: string;
  footer: string;
  symbols: Symbols;
}

export function renderMenu(buf: ScreenBuffer, area: Rect, props: MenuProps): void {
  const { items, footer } = props;
  const width = Math.min(
    area.width - 4,
    Math.max(40, stringWidth(footer) + 4, ...items.map((i) => stringWidth(i) + 6)),
  );
  const about = wrapText(props.about, Math.max(1, width - 4)).slice(0, 3);
  const { inner } = renderOverlayBox(buf, area, {
    width,
    height: items.length + about.length + 5,
    title: props.title,
    symbols: props.symbols,
  });
  const x = inner.x + 1;
  const textWidth = inner.width - 2;
  renderList(buf, { ...inner, x, width: textWidth, height: items.length }, {
    items,
    symbols: props.symbols,
  }, { selected: props.selected, offset: 0 });
  about.forEach((line, i) =>
    buf.setString(x, inner.y + items.length + 1 + i, line, undefined, textWidth)
  );
  buf.setString(x, inner.y + inner.height - 1, footer, { dim: true }, textWidth);
}
