/** A yes/no confirm dialog (k9s style: confirm before anything destructive). */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { stringWidth, wrapText } from "../width.ts";
import { renderOverlayBox } from "./overlay.ts";

export interface ConfirmProps {
  /** Default "Confirm". */
  title?: string;
  message: string;
  symbols?: Symbols;
  style?: Style;
}

const CHOICES = "[y] yes   [n] no";
const MAX_WIDTH = 50;

/** Draws the dialog centered in `area`; returns the box it drew. */
export function renderConfirm(buf: ScreenBuffer, area: Rect, props: ConfirmProps): Rect {
  const symbols = props.symbols ?? symbolsFor(true);
  const title = props.title ?? "Confirm";
  const wrapWidth = Math.max(1, Math.min(MAX_WIDTH, area.width - 4));
  const lines = wrapText(props.message, wrapWidth);
  const contentWidth = Math.max(
    stringWidth(CHOICES),
    stringWidth(title) + 2,
    ...lines.map(stringWidth),
  );
  const { box, inner } = renderOverlayBox(buf, area, {
    width: contentWidth + 4,
    height: lines.length + 4,
    title,
    symbols,
    style: props.style,
  });
  const x = inner.x + 1;
  const width = Math.max(0, inner.width - 2);
  lines.slice(0, Math.max(0, inner.height - 2)).forEach((line, i) => {
    buf.setString(x, inner.y + i, line, undefined, width);
  });
  if (inner.height >= 1) {
    const y = inner.y + inner.height - 1;
    const cx = x + Math.max(0, Math.floor((width - stringWidth(CHOICES)) / 2));
    buf.setString(cx, y, CHOICES, { bold: true }, Math.max(0, x + width - cx));
  }
  return box;
}

/** y / Y -> "yes"; n / N / Esc -> "no"; any other key -> null (the dialog stays). */
export function confirmAnswer(ev: { key: string; ctrl?: boolean }): "yes" | "no" | null {
  if (ev.ctrl) return null;
  if (ev.key === "y" || ev.key === "Y") return "yes";
  if (ev.key === "n" || ev.key === "N" || ev.key === "escape") return "no";
  return null;
}
