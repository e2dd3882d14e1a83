/** A one-row status bar: left segments, right segments right-aligned (kept when space is short). */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { stringWidth, truncateToWidth } from "../width.ts";

export interface StatusSegment {
  text: string;
  style?: Style;
}

export interface StatusBarProps {
  left: readonly (string | StatusSegment)[];
  right?: readonly (string | StatusSegment)[];
  /** Background of the whole bar; default reverse video. */
  style?: Style;
  /** Between segments; default ` │ ` (` | ` in ASCII). */
  separator?: string;
  symbols?: Symbols;
}

function drawSegments(
  buf: ScreenBuffer,
  x: number,
  y: number,
  segments: readonly (string | StatusSegment)[],
  separator: string,
  limit: number,
): number {
  segments.forEach((seg, i) => {
    if (x >= limit) return;
    if (i > 0) x = buf.setString(x, y, separator, undefined, limit - x);
    const s = typeof seg === "string" ? { text: seg } : seg;
    x = buf.setString(x, y, s.text, s.style, Math.max(0, limit - x));
  });
  return x;
}

export function renderStatusBar(buf: ScreenBuffer, rect: Rect, props: StatusBarProps): void {
  if (rect.width <= 0 || rect.height <= 0) return;
  const symbols = props.symbols ?? symbolsFor(true);
  const separator = props.separator ?? ` ${symbols.separator} `;
  const row = { x: rect.x, y: rect.y, width: rect.width, height: 1 };
  buf.fill(row, " ", props.style ?? { reverse: true });
  const right = props.right ?? [];
  const text = (s: string | StatusSegment) => (typeof s === "string" ? s : s.text);
  const rightWidth = right.reduce((w, s) => w + stringWidth(text(s)), 0) +
    Math.max(0, right.length - 1) * stringWidth(separator);
  const end = rect.x + rect.width;
  let rightStart = end;
  if (rightWidth > 0) {
    const w = Math.min(rightWidth, rect.width);
    rightStart = end - w;
    if (w === rightWidth) drawSegments(buf, rightStart, rect.y, right, separator, end);
    else buf.setString(rightStart, rect.y, truncateToWidth(right.map(text).join(separator), w));
  }
  // The left side gives way: it is cut one cell before the right side.
  const limit = rightWidth > 0 ? rightStart - 1 : end;
  const leftWidth = props.left.reduce((w, s) => w + stringWidth(text(s)), 0) +
    Math.max(0, props.left.length - 1) * stringWidth(separator);
  if (leftWidth <= limit - rect.x) {
    drawSegments(buf, rect.x, rect.y, props.left, separator, limit);
  } else if (limit > rect.x) {
    const joined = props.left.map(text).join(separator);
    buf.setString(rect.x, rect.y, truncateToWidth(joined, limit - rect.x, symbols.ellipsis));
  }
}
