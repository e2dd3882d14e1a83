/**
 * Display width of text in terminal cells. East Asian wide and fullwidth
 * characters take two cells (get-east-asian-width), combining marks and
 * format characters take none, everything else one. Ambiguous-width
 * characters count as narrow, as the Unicode annex recommends when the
 * context is unknown (and as xterm-compatible terminals draw them).
 */
import { eastAsianWidth } from "get-east-asian-width";

// Width cache for the Basic Multilingual Plane: 0 = not computed yet,
// otherwise width + 1. The lookup in get-east-asian-width is a chain of range
// checks; the cache keeps the diff/buffer hot path to one array read.
const bmpCache = new Uint8Array(0x10000);
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

function computeWidth(codePoint: number): 0 | 1 | 2 {
  // C0/C1 controls and DEL draw nothing (and must never reach the screen).
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0;
  if (codePoint < 0x7f) return 1;
  // Hangul Jamo medial vowels and final consonants join the previous syllable.
  if (codePoint >= 0x1160 && codePoint <= 0x11ff) return 0;
  if (ZERO_WIDTH.test(String.fromCodePoint(codePoint))) return 0;
  return eastAsianWidth(codePoint);
}

/** Cells taken by one code point: 0 (combining, zero-width, control), 1 or 2. */
export function charWidth(codePoint: number): 0 | 1 | 2 {
  if (codePoint < 0x7f && codePoint >= 0x20) return 1;
  if (codePoint < 0x10000) {
    const cached = bmpCache[codePoint]!;
    if (cached !== 0) return (cached - 1) as 0 | 1 | 2;
    const width = computeWidth(codePoint);
    bmpCache[codePoint] = width + 1;
    return width;
  }
  return computeWidth(codePoint);
}

/** Cells taken by a whole string. */
export function stringWidth(s: string): number {
  let width = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit >= 0x20 && unit < 0x7f) {
      width++;
      continue;
    }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    width += charWidth(cp);
  }
  return width;
}

/**
 * Cuts `s` so it fits in `w` cells. When it had to be cut and an `ellipsis`
 * is given (e.g. `symbols.ellipsis`), the ellipsis takes the last cells. A
 * wide character that would straddle the limit is dropped, so the result may
 * be one cell narrower than `w`.
 */
export function truncateToWidth(s: string, w: number, ellipsis = ""): string {
  if (w <= 0) return "";
  if (stringWidth(s) <= w) return s;
  const ellipsisWidth = stringWidth(ellipsis);
  const mark = ellipsisWidth <= w ? ellipsis : "";
  const budget = w - (mark === "" ? 0 : ellipsisWidth);
  let width = 0;
  let end = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (width + cw > budget) break;
    width += cw;
    end += ch.length;
  }
  return s.slice(0, end) + mark;
}

/** Pads `s` with spaces (after truncating it) to exactly `w` cells. */
export function padToWidth(
  s: string,
  w: number,
  { align = "left", ellipsis = "" }: { align?: "left" | "right" | "center"; ellipsis?: string } =
    {},
): string {
  const cut = truncateToWidth(s, w, ellipsis);
  const gap = Math.max(0, w - stringWidth(cut));
  if (align === "right") return " ".repeat(gap) + cut;
  if (align === "center") {
    const left = Math.floor(gap / 2);
    return " ".repeat(left) + cut + " ".repeat(gap - left);
  }
  return cut + " ".repeat(gap);
}

/**
 * Wraps a line of groups set two spaces apart (`12,345 rt/s  p50 1.20 ms`)
 * between groups, so that a figure never leaves its unit on the line before;
 * a group wider than a line is wrapped at its words.
 */
export function wrapGroups(text: string, w: number): string[] {
  if (w <= 0) return [];
  const lines: string[] = [];
  let line = "";
  for (const group of text.split(/ {2,}/).filter((g) => g !== "")) {
    const width = stringWidth(group);
    if (line !== "" && stringWidth(line) + 1 + width <= w) {
      line += " " + group;
      continue;
    }
    if (line !== "") lines.push(line);
    const rows = width <= w ? [group] : wrapText(group, w);
    lines.push(...rows.slice(0, -1));
    line = rows.at(-1) ?? "";
  }
  lines.push(line);
  return lines;
}

/**
 * Word-wraps `text` to lines of at most `w` cells. Newlines in the text
 * start new lines; a word longer than a line is cut by cells.
 */
export function wrapText(text: string, w: number): string[] {
  if (w <= 0) return [];
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    let lineWidth = 0;
    for (const word of paragraph.split(/\s+/).filter((s) => s !== "")) {
      let rest = word;
      let restWidth = stringWidth(rest);
      if (lineWidth > 0 && lineWidth + 1 + restWidth <= w) {
        line += " " + rest;
        lineWidth += 1 + restWidth;
        continue;
      }
      if (lineWidth > 0) lines.push(line);
      while (restWidth > w) {
        const head = truncateToWidth(rest, w);
        lines.push(head);
        rest = rest.slice(head.length);
        restWidth = stringWidth(rest);
      }
      line = rest;
      lineWidth = restWidth;
    }
    lines.push(line);
  }
  return lines;
}
