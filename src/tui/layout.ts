/**
 * Splitting a rectangle into rows or columns by constraints:
 * - `{ fixed: n }`   exactly n cells (less if there is not enough room);
 * - `{ percent: p }` p% of the whole length, rounded down;
 * - `{ min: n }`     at least n cells, and a share of what is left over
 *                    when no `fill` constraint wants it;
 * - `{ fill: w }`    a share of the left-over space proportional to w.
 * When the constraints ask for more than there is, they are served in order
 * and the later ones shrink (to zero if need be). Left-over space with no
 * `fill` or `min` to take it stays unused at the end.
 */
import type { Rect } from "./buffer.ts";

export type Constraint = { fixed: number } | { percent: number } | { min: number } | {
  fill: number;
};

/** Lengths along one axis; exported for widgets that lay out columns themselves. */
export function splitLength(total: number, constraints: readonly Constraint[]): number[] {
  total = Math.max(0, Math.floor(total));
  const base = constraints.map((c) => {
    if ("fixed" in c) return Math.max(0, Math.floor(c.fixed));
    if ("percent" in c) return Math.max(0, Math.floor((total * c.percent) / 100));
    if ("min" in c) return Math.max(0, Math.floor(c.min));
    return 0;
  });
  let remaining = total;
  const sizes = base.map((b) => {
    const size = Math.min(b, remaining);
    remaining -= size;
    return size;
  });
  if (remaining <= 0) return sizes;
  // Growable constraints: fills by weight, else mins equally.
  let weights = constraints.map((c) => ("fill" in c ? Math.max(0, c.fill) : 0));
  if (weights.every((w) => w === 0)) {
    const fills = constraints.some((c) => "fill" in c);
    weights = constraints.map((c) => (fills ? ("fill" in c ? 1 : 0) : "min" in c ? 1 : 0));
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return sizes;
  let given = 0;
  const shares = weights.map((w) => {
    const share = Math.floor((remaining * w) / sum);
    given += share;
    return share;
  });
  // Hand out the rounding remainder one cell at a time, first come first served.
  let rest = remaining - given;
  for (let i = 0; i < shares.length && rest > 0; i++) {
    if (weights[i]! > 0) {
      shares[i]!++;
      rest--;
    }
  }
  return sizes.map((s, i) => s + shares[i]!);
}

/** Splits `rect` top to bottom. */
export function splitRows(rect: Rect, constraints: Constraint[]): Rect[] {
  let y = rect.y;
  return splitLength(rect.height, constraints).map((height) => {
    const r = { x: rect.x, y, width: rect.width, height };
    y += height;
    return r;
  });
}

/** Splits `rect` left to right. */
export function splitCols(rect: Rect, constraints: Constraint[]): Rect[] {
  let x = rect.x;
  return splitLength(rect.width, constraints).map((width) => {
    const r = { x, y: rect.y, width, height: rect.height };
    x += width;
    return r;
  });
}

/** `rect` shrunk by `n` cells on every side (never below zero size). */
export function inset(rect: Rect, n = 1): Rect {
  const width = Math.max(0, rect.width - 2 * n);
  const height = Math.max(0, rect.height - 2 * n);
  return {
    x: rect.x + Math.min(n, Math.floor(rect.width / 2)),
    y: rect.y + Math.min(n, Math.floor(rect.height / 2)),
    width,
    height,
  };
}

/** A `width` x `height` rect centered in `rect` (clamped to fit inside it). */
export function centered(rect: Rect, width: number, height: number): Rect {
  const w = Math.max(0, Math.min(width, rect.width));
  const h = Math.max(0, Math.min(height, rect.height));
  return {
    x: rect.x + Math.floor((rect.width - w) / 2),
    y: rect.y + Math.floor((rect.height - h) / 2),
    width: w,
    height: h,
  };
}
