/**
 * Test helpers: draw into an in-memory ScreenBuffer and compare its text
 * with an expected string grid (ratatui style), failing with a row-by-row
 * diff a person can read.
 */
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { AssertionError } from "node:assert";

/** Runs `draw` on a fresh `width` x `height` buffer and returns its rows. */
export function renderToGrid(
  draw: (buf: ScreenBuffer) => void,
  width: number,
  height: number,
): string[] {
  const buf = new ScreenBuffer(width, height);
  draw(buf);
  return buf.toLines();
}

/** Throws with a marked row-by-row diff when the grids differ. */
export function assertGrid(actual: string[], expected: string[]): void {
  const rows = Math.max(actual.length, expected.length);
  let same = actual.length === expected.length;
  const report: string[] = [];
  for (let y = 0; y < rows; y++) {
    const a = actual[y];
    const e = expected[y];
    if (a === e) {
      report.push(`  ${String(y).padStart(2)} |${a}|`);
      continue;
    }
    same = false;
    report.push(`- ${String(y).padStart(2)} |${e ?? "<no row>"}|   (expected)`);
    report.push(`+ ${String(y).padStart(2)} |${a ?? "<no row>"}|   (actual)`);
  }
  if (!same) {
    throw new AssertionError({
      message: `Grids differ (${actual.length} rows actual, ${expected.length} expected):\n${
        report.join("\n")
      }`,
      actual,
      expected,
    });
  }
}
