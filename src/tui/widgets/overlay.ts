/** Shared by the help overlay and the confirm dialog: a cleared, bordered, centered box. */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import { centered } from "../layout.ts";
import type { Style } from "../style.ts";
import type { Symbols } from "../symbols.ts";
import { blockInner, renderBlock } from "./block.ts";

/**
 * Centers a box of (at most) `width` x `height` in `area`, clears it so the
 * content underneath does not show through, draws the border and title,
 * and returns the box and its inner area.
 */
export function renderOverlayBox(
  buf: ScreenBuffer,
  area: Rect,
  { width, height, title, symbols, style }: {
    width: number;
    height: number;
    title?: string;
    symbols: Symbols;
    style?: Style;
  },
): { box: Rect; inner: Rect } {
  const box = centered(area, width, height);
  buf.fill(box, " ", style ?? {});
  renderBlock(buf, box, { title, symbols, focused: true });
  return { box, inner: blockInner(box) };
}
