/** Word-wrapped text in a rect (a panel's explanation, an error message). */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { padToWidth, stringWidth, truncateToWidth, wrapText } from "../width.ts";

export interface ParagraphProps {
  text: string;
  style?: Style;
  align?: "left" | "center" | "right";
  /** Wrap at word boundaries (default true); false cuts each line with an ellipsis. */
  wrap?: boolean;
  symbols?: Symbols;
}

/** Draws the text from the top of `rect`; returns the rows used. */
export function renderParagraph(buf: ScreenBuffer, rect: Rect, props: ParagraphProps): number {
  if (rect.width <= 0 || rect.height <= 0) return 0;
  const symbols = props.symbols ?? symbolsFor(true);
  const lines = props.wrap === false
    ? props.text.split("\n").map((l) => truncateToWidth(l, rect.width, symbols.ellipsis))
    : wrapText(props.text, rect.width);
  const shown = lines.slice(0, rect.height);
  if (lines.length > rect.height && shown.length > 0) {
    // Say that text is missing rather than cut it silently.
    const last = shown[shown.length - 1]!;
    shown[shown.length - 1] = stringWidth(last) + stringWidth(symbols.ellipsis) <= rect.width
      ? last + symbols.ellipsis
      : truncateToWidth(last, rect.width - 1) + symbols.ellipsis;
  }
  shown.forEach((line, i) => {
    const text = props.align && props.align !== "left"
      ? padToWidth(line, rect.width, { align: props.align })
      : line;
    buf.setString(rect.x, rect.y + i, text, props.style, rect.width);
  });
  return shown.length;
}
