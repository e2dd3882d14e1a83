/**
 * The selected task's detail as lines of text: state and times, parent and
 * children, error or result, each warning with its explanation, and its
 * recent state changes. Kept apart from drawing so the keys that scroll the
 * detail measure exactly what the view shows.
 */
import type { Rect } from "../tui/buffer.ts";
import type { Style } from "../tui/style.ts";
import type { StyledLine } from "../tui/widgets/scroll_text.ts";
import { type CoroutinesLayout, formatCount, formatMs } from "./coroutines.ts";
import type { LaneView, TaskDetail } from "../lab/protocol.ts";
import type { Symbols } from "../tui/symbols.ts";
import { laneGlyphs, laneSamples } from "./lanes.ts";

const BOLD: Style = { bold: true };
const DIM: Style = { dim: true };
const WARN: Style = { fg: 3, bold: true };
const FAILED: Style = { fg: 1 };
const KILLED: Style = { fg: 5 };

/** The detail takes the table's and the lanes' room. */
export function detailRect(layout: CoroutinesLayout): Rect {
  return { ...layout.table, height: layout.table.height + layout.lanes.height };
}

/**
 * The detail's lines. `lanes` are the snapshot's timeline lanes: the selected
 * task's own lane is pinned first in them, and the detail shows it too.
 */
export function detailLines(
  detail: TaskDetail,
  nowMs: number,
  lanes?: LaneView,
  symbols?: Symbols,
): StyledLine[] {
  const t = detail.task;
  const ended = !["ready", "running", "waiting"].includes(t.state);
  const since = ended ? `${formatMs(t.stateForMs)} ago` : `for ${formatMs(t.stateForMs)}`;
  const lines: StyledLine[] = [
    { text: `#${t.id} ${t.name}  (group ${t.group || "-"})   Esc back`, style: BOLD },
    {
      text: `state ${t.stateText} ${since}   switches ${formatCount(t.switches)}   busy ${
        formatMs(t.busyMs)
      } (${t.busyPct.toFixed(0)}%)   waiting ${formatMs(t.waitingMs)}`,
    },
    {
      text: `last wake: ${t.lastWake || "-"}   parent: ${
        detail.parent ? `#${detail.parent.id} ${detail.parent.name}` : "-"
      }   children: ${detail.childCount}${
        detail.children.length > 0
          ? " (" + detail.children.slice(0, 4).map((c) => `${c.name} ${c.stateText}`).join(", ") +
            ")"
          : ""
      }`,
    },
  ];
  const own = lanes?.lanes.find((lane) => lane.id === t.id);
  if (own && lanes && symbols) {
    const glyphs = laneGlyphs(symbols);
    lines.push({
      text: `timeline, last ${
        formatMs(lanes.bucketMs * lanes.buckets)
      } (${glyphs.R} run ${glyphs.r} ready ${glyphs.w} wait):`,
      style: BOLD,
    });
    lines.push({ text: `  ${laneSamples(own, glyphs)}` });
  }
  if (detail.error) lines.push({ text: `error: ${detail.error}`, style: FAILED });
  if (detail.endReason && t.state === "killed") {
    lines.push({ text: `killed: ${detail.endReason} (kill-task)`, style: KILLED });
  } else if (detail.endReason) {
    // the lesson's Python leaves such a generator suspended when the program ends
    lines.push({
      text: `abandoned: ${detail.endReason}; not a failure: it was left suspended, as Python ` +
        `leaves a generator when its program ends`,
    });
  }
  if (detail.result) lines.push({ text: `result: ${detail.result}` });
  for (const w of detail.warnings) {
    lines.push({ text: `! ${w.summary} (x${w.count})`, style: WARN });
    lines.push({ text: `  ${w.explanation}`, style: DIM });
  }
  lines.push({ text: `recent state changes (${detail.eventCount} in all):`, style: BOLD });
  for (const e of detail.events.slice().reverse()) {
    lines.push({ text: `  ${formatMs(Math.max(0, nowMs - e.atMs)).padStart(6)} ago  ${e.text}` });
  }
  return lines;
}
