/** A horizontal gauge with a centered label (default the percentage). */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { stringWidth, truncateToWidth } from "../width.ts";

export interface GaugeProps {
  /** 0..1; clamped. */
  ratio: number;
  label?: string;
  /** Style of the bar (filled and empty part). */
  style?: Style;
  symbols?: Symbols;
}

export function renderGauge(buf: ScreenBuffer, rect: Rect, props: GaugeProps): void {
  if (rect.width <= 0 || rect.height <= 0) return;
  const symbols = props.symbols ?? symbolsFor(true);
  const ratio = Number.isFinite(props.ratio) ? Math.min(1, Math.max(0, props.ratio)) : 0;
  const filled = Math.round(ratio * rect.width);
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    buf.setString(rect.x, y, symbols.gaugeFilled.repeat(filled), props.style, rect.width);
    buf.setString(rect.x + filled, y, symbols.gaugeEmpty.repeat(rect.width - filled), props.style);
  }
  const label = truncateToWidth(props.label ?? `${Math.round(ratio * 100)}%`, rect.width);
  const lw = stringWidth(label);
  const lx = rect.x + Math.floor((rect.width - lw) / 2);
  const ly = rect.y + Math.floor((rect.height - 1) / 2);
  buf.setString(lx, ly, label, props.style);
  // Label cells over the filled part are drawn in reverse video, so the text
  // reads as cut out of the bar in any color mode (NO_COLOR included).
  const overlap = Math.min(lx + lw, rect.x + filled) - lx;
  if (overlap > 0) buf.setStyle({ x: lx, y: ly, width: overlap, height: 1 }, { reverse: true });
}
