/** A sparkline: one column per value, newest at the right, eighth-block resolution per row. */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";

export interface SparklineProps {
  data: readonly number[];
  /** The value drawn as a full column; default the largest value shown. */
  max?: number;
  style?: Style;
  symbols?: Symbols;
}

export function renderSparkline(buf: ScreenBuffer, rect: Rect, props: SparklineProps): void {
  if (rect.width <= 0 || rect.height <= 0) return;
  const levels = (props.symbols ?? symbolsFor(true)).sparkline;
  const steps = levels.length - 1;
  const data = props.data.slice(-rect.width);
  const max = props.max ?? Math.max(0, ...data);
  const start = rect.x + rect.width - data.length;
  data.forEach((value, i) => {
    const v = Number.isFinite(value) ? Math.max(0, value) : 0;
    let units = max > 0 ? Math.round((Math.min(v, max) / max) * rect.height * steps) : 0;
    // Any non-zero value shows at least the lowest bar: "a little" is not "nothing".
    if (units === 0 && v > 0) units = 1;
    for (let r = 0; r < rect.height; r++) {
      const level = Math.min(steps, Math.max(0, units - r * steps));
      const y = rect.y + rect.height - 1 - r;
      buf.setString(start + i, y, levels[level]!, props.style, 1);
    }
  });
}
