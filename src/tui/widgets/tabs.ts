/** A row of tabs: `1 Overview  2 Coroutines  ...`, the active one highlighted. */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";

export interface TabsProps {
  titles: readonly string[];
  active: number;
  /** Prefix each title with its number key (default true). */
  numbered?: boolean;
  style?: Style;
  /** Default: reverse video and bold. */
  activeStyle?: Style;
  /** Between tabs; default two spaces. */
  divider?: string;
}

/** Draws the tabs on the first row of `rect`; returns each tab's cells (for mouse hits). */
export function renderTabs(
  buf: ScreenBuffer,
  rect: Rect,
  props: TabsProps,
): { x: number; width: number }[] {
  const hits: { x: number; width: number }[] = [];
  if (rect.width <= 0 || rect.height <= 0) return hits;
  const divider = props.divider ?? "  ";
  const end = rect.x + rect.width;
  let x = rect.x;
  props.titles.forEach((title, i) => {
    if (x >= end) return;
    if (i > 0) x = buf.setString(x, rect.y, divider, props.style, end - x);
    const label = props.numbered === false ? title : `${i + 1} ${title}`;
    const style = i === props.active
      ? (props.activeStyle ?? { reverse: true, bold: true })
      : props.style;
    const start = x;
    x = buf.setString(x, rect.y, label, style, Math.max(0, end - x));
    hits.push({ x: start, width: Math.min(x, end) - start });
  });
  return hits;
}
