/**
 * Timeline lanes as text: one glyph per sample (running, ready, waiting), and
 * labels that fit the lane column and tell tasks apart. Shared by the lanes
 * under the task table and the task detail's own timeline.
 */
import type { Symbols } from "../tui/symbols.ts";
import { stringWidth, truncateToWidth } from "../tui/width.ts";
import type { Lane } from "../lab/protocol.ts";

/** One glyph per lane sample: the lesson's switching made visible. */
export function laneGlyphs(symbols: Symbols): Record<string, string> {
  return symbols.unicode
    ? { R: "█", r: "▒", w: "·", x: "x", " ": " ", "?": " " }
    : { R: "#", r: "+", w: ".", x: "x", " ": " ", "?": " " };
}

export function laneSamples(lane: Lane, glyphs: Record<string, string>): string {
  return [...lane.samples].map((s) => glyphs[s] ?? " ").join("");
}

/**
 * Lane labels that fit `width` and tell lanes apart: a name that fits and is
 * unique is shown as it is; otherwise it is cut with an ellipsis and the
 * task's id is added (`sleep… #11`), so `sleeper 1` and `sleeper 10` differ.
 */
export function laneLabels(lanes: readonly Lane[], width: number, ellipsis: string): string[] {
  const counts = new Map<string, number>();
  for (const lane of lanes) counts.set(lane.name, (counts.get(lane.name) ?? 0) + 1);
  return lanes.map((lane) => {
    if (stringWidth(lane.name) <= width && counts.get(lane.name) === 1) return lane.name;
    const id = ` #${lane.id}`;
    const room = Math.max(0, width - stringWidth(id));
    return truncateToWidth(lane.name, room, ellipsis) + id;
  });
}
