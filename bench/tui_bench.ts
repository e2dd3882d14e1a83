/**
 * TUI engine figures: the cost of a full-frame diff at 200x60, the bytes a
 * one-cell change costs, and the bytes written in 5 s of idle frames, each
 * against repainting the whole screen every frame (what a TUI without a diff
 * sends), measured in the same run; and the time from a key to its frame
 * with a 10 000-character line in the `:` command line, against the same key
 * on an empty line.
 */
import type { BenchResult, BenchSuite } from "./harness.ts";
import { initialState } from "../src/app/model.ts";
import { COLOR_STYLES } from "../src/app/theme.ts";
import { type AppEvent, update } from "../src/app/update.ts";
import { view } from "../src/app/view.ts";
import { ScreenBuffer } from "../src/tui/buffer.ts";
import { Renderer } from "../src/tui/diff.ts";
import type { Color } from "../src/tui/style.ts";
import { symbolsFor } from "../src/tui/symbols.ts";

/** A 200x60 frame where every cell differs from the other `variant` in symbol and style. */
export function styledFrame(width: number, height: number, variant: number): ScreenBuffer {
  const buf = new ScreenBuffer(width, height);
  const chars = variant === 0 ? "abcdefghij" : "KLMNOPQRST";
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // A new style every cell, cycling through truecolor, 256 and 16 colors,
      // so SGR is written for every cell: the worst case.
      const k = x + y * width + variant;
      const fg: Color = k % 3 === 0
        ? `#${((k * 2654435761) & 0xffffff).toString(16).padStart(6, "0")}`
        : k % 3 === 1
        ? k % 256
        : k % 16;
      buf.setString(x, y, chars[k % chars.length]!, {
        fg,
        bg: (k + variant) % 7 === 0 ? 236 : "default",
        bold: k % 5 === 0,
        underline: k % 11 === 0,
      });
    }
  }
  return buf;
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Median time to write a frame that differs in every cell from the one
 * before; `repaint` invalidates first, so the whole screen is sent as if no
 * previous frame were known.
 */
export function measureFullFrameMs({ runs = 200, repaint = false } = {}): number {
  const frames = [styledFrame(200, 60, 0), styledFrame(200, 60, 1)];
  const renderer = new Renderer({ colorLevel: "truecolor" });
  renderer.render(frames[1]!);
  const times: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const frame = frames[i % 2]!;
    const start = performance.now();
    if (repaint) renderer.invalidate();
    const bytes = renderer.renderBytes(frame);
    const elapsed = performance.now() - start;
    if (bytes.length === 0) throw new Error("full-frame diff wrote nothing");
    if (i >= 20) times.push(elapsed); // the first runs warm up the JIT
  }
  return median(times);
}

/** Bytes written for a frame where one cell changed (or, with `repaint`, the whole frame). */
export function measureOneCellBytes({ repaint = false } = {}): number {
  const buf = new ScreenBuffer(200, 60);
  buf.setString(0, 0, "warren dashboard", { bold: true });
  const renderer = new Renderer({ colorLevel: "truecolor" });
  renderer.render(buf);
  buf.setString(150, 45, "x");
  if (repaint) renderer.invalidate();
  return renderer.renderBytes(buf).length;
}

/** Bytes written in `seconds` of frames that change nothing (or repaint all of it). */
export function measureIdleBytes({ seconds = 5, fps = 15, repaint = false } = {}): number {
  const buf = styledFrame(200, 60, 0);
  const renderer = new Renderer({ colorLevel: "truecolor" });
  renderer.render(buf);
  let bytes = 0;
  for (let frame = 0; frame < seconds * fps; frame++) {
    // An idle app redraws the same view into the same buffer.
    if (repaint) renderer.invalidate();
    bytes += renderer.renderBytes(buf).length;
  }
  return bytes;
}

const KEY = { ctrl: false, alt: false, shift: false } as const;

/**
 * Median time from a key typed into the `:` line to its frame on the wire
 * (update, view, diff) at 80x24, with `length` characters already on the line.
 */
export function measureKeyToFrameMs(length: number, keys = 200): number {
  let state = update(initialState({ width: 80, height: 24 }), { type: "key", key: ":", ...KEY });
  if (length > 0) state = update(state, { type: "paste", text: "word ".repeat(length / 5) });
  const theme = { symbols: symbolsFor(true), styles: COLOR_STYLES };
  const buf = new ScreenBuffer(80, 24);
  const renderer = new Renderer({ colorLevel: "truecolor" });
  const times: number[] = [];
  for (let i = 0; i < keys + 20; i++) {
    // Type a letter, then take it back, so the line keeps its length.
    const event: AppEvent = i % 2 === 0
      ? { type: "key", key: "x", ...KEY }
      : { type: "key", key: "backspace", ...KEY };
    const start = performance.now();
    state = update(state, event);
    view(state, buf, theme);
    renderer.renderBytes(buf);
    const elapsed = performance.now() - start;
    if (i >= 20) times.push(elapsed);
  }
  return median(times);
}

export const tuiBench: BenchSuite = {
  name: "tui",
  description: "terminal engine: full-frame diff time, one-cell bytes, idle bytes",
  run(report: (result: BenchResult) => void): Promise<void> {
    report({
      name: "tui_full_frame_diff_ms",
      value: measureFullFrameMs(),
      ref: measureFullFrameMs({ repaint: true }),
      unit: "ms",
      goal: "<= 2 ms",
    });
    report({
      name: "tui_one_cell_bytes",
      value: measureOneCellBytes(),
      ref: measureOneCellBytes({ repaint: true }),
      unit: "bytes",
      goal: "<= 32",
    });
    report({
      name: "tui_idle_bytes_5s",
      value: measureIdleBytes(),
      ref: measureIdleBytes({ repaint: true }),
      unit: "bytes",
      goal: "0",
    });
    report({
      name: "tui_key_to_frame_10k_line_ms",
      value: measureKeyToFrameMs(10_000),
      ref: measureKeyToFrameMs(0),
      unit: "ms",
      goal: "< 1 frame (66 ms at 15 fps)",
    });
    return Promise.resolve();
  },
};

if (import.meta.main) {
  await tuiBench.run((r) => console.log(`${r.name}\t${r.value}\t${r.unit}\t(goal ${r.goal})`));
}
