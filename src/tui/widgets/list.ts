/** A vertical list with a selection marker and a scroll window. */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { stringWidth, truncateToWidth } from "../width.ts";
import { scrollOffset, type SelectionState } from "./selection.ts";

export interface ListItem {
  text: string;
  style?: Style;
}

export interface ListProps {
  items: readonly (string | ListItem)[];
  symbols?: Symbols;
  /** Default: reverse video. */
  selectedStyle?: Style;
  /** Drawn before the selected item (default `symbols.selected + " "`); others get blanks. */
  marker?: string;
  emptyText?: string;
}

export type ListState = SelectionState;

export function renderList(
  buf: ScreenBuffer,
  rect: Rect,
  props: ListProps,
  state: ListState = { selected: null, offset: 0 },
): { offset: number } {
  const symbols = props.symbols ?? symbolsFor(true);
  if (rect.width <= 0 || rect.height <= 0) return { offset: 0 };
  if (props.items.length === 0) {
    if (props.emptyText) buf.setString(rect.x, rect.y, props.emptyText, { dim: true }, rect.width);
    return { offset: 0 };
  }
  const marker = props.marker ?? symbols.selected + " ";
  const markerWidth = stringWidth(marker);
  const offset = scrollOffset(state.offset, state.selected, rect.height, props.items.length);
  const end = Math.min(props.items.length, offset + rect.height);
  for (let i = offset; i < end; i++) {
    const item = props.items[i]!;
    const { text, style } = typeof item === "string" ? { text: item, style: undefined } : item;
    const y = rect.y + i - offset;
    const selected = i === state.selected;
    const x = buf.setString(
      rect.x,
      y,
      selected ? marker : " ".repeat(markerWidth),
      undefined,
      rect.width,
    );
    const room = rect.x + rect.width - x;
    buf.setString(x, y, truncateToWidth(text, room, symbols.ellipsis), style, room);
    if (selected) {
      buf.setStyle(
        { x: rect.x, y, width: rect.width, height: 1 },
        props.selectedStyle ?? { reverse: true },
      );
    }
  }
  return { offset };
}
