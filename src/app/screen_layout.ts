/**
 * The screen's fixed frame, shared by `view` (to draw) and `update` (to know
 * page sizes): tabs on the first row, the panel's bordered block, the status
 * line on the last row.
 */
import type { Rect } from "../tui/buffer.ts";
import { inset, splitRows } from "../tui/layout.ts";

export interface ScreenLayout {
  tabs: Rect;
  /** The panel's block, border included. */
  body: Rect;
  /** Inside the border, one column of padding each side. */
  panel: Rect;
  status: Rect;
}

export function screenLayout(width: number, height: number): ScreenLayout {
  const area = { x: 0, y: 0, width, height };
  const [tabs, body, status] = splitRows(area, [{ fixed: 1 }, { fill: 1 }, { fixed: 1 }]) as [
    Rect,
    Rect,
    Rect,
  ];
  const inner = inset(body, 1);
  const panel = { ...inner, x: inner.x + 1, width: Math.max(0, inner.width - 2) };
  return { tabs, body, panel, status };
}
