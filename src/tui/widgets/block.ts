/** A bordered box with an optional title on the top border (left) and on the right. */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { stringWidth, truncateToWidth } from "../width.ts";

export interface BlockProps {
  title?: string;
  /** Shown at the right end of the top border (e.g. a count or "paused"). */
  titleRight?: string;
  symbols?: Symbols;
  /** A focused block gets the heavier border. */
  focused?: boolean;
  /** Merged over the whole block area. */
  style?: Style;
  borderStyle?: Style;
  titleStyle?: Style;
}

/** The area inside a block's border. */
export function blockInner(rect: Rect): Rect {
  return {
    x: rect.x + 1,
    y: rect.y + 1,
    width: Math.max(0, rect.width - 2),
    height: Math.max(0, rect.height - 2),
  };
}

/** Draws the border and titles; returns the inner area for the content. */
export function renderBlock(buf: ScreenBuffer, rect: Rect, props: BlockProps = {}): Rect {
  const symbols = props.symbols ?? symbolsFor(true);
  const b = props.focused ? symbols.borderFocused : symbols.border;
  if (props.style) buf.setStyle(rect, props.style);
  if (rect.width < 2 || rect.height < 2) return blockInner(rect);
  const { x, y, width, height } = rect;
  const borderStyle = props.borderStyle ?? {};
  const right = x + width - 1;
  const bottom = y + height - 1;
  const line = b.horizontal.repeat(width - 2);
  buf.setString(x, y, b.topLeft + line + b.topRight, borderStyle);
  buf.setString(x, bottom, b.bottomLeft + line + b.bottomRight, borderStyle);
  for (let row = y + 1; row < bottom; row++) {
    buf.setString(x, row, b.vertical, borderStyle);
    buf.setString(right, row, b.vertical, borderStyle);
  }
  const titleStyle = props.titleStyle ?? { bold: true };
  let rightStart = right;
  if (props.titleRight && width > 6) {
    const text = ` ${truncateToWidth(props.titleRight, width - 6, symbols.ellipsis)} `;
    rightStart = right - stringWidth(text);
    buf.setString(rightStart, y, text, titleStyle);
  }
  if (props.title) {
    const room = rightStart - (x + 1) - 2;
    if (room > 0) {
      buf.setString(
        x + 1,
        y,
        ` ${truncateToWidth(props.title, room, symbols.ellipsis)} `,
        titleStyle,
      );
    }
  }
  return blockInner(rect);
}
