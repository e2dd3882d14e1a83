/**
 * TUI engine figures: the cost of a full-frame diff at 200x60, the bytes a
 * one-cell change costs, and the bytes written in 5 s of idle frames.
 */
import type { BenchResult, BenchSuite } from "./harness.ts";
import { ScreenBuffer } from "../src/tui/buffer.ts";
import { Renderer } from "../src/tui/diff.ts";
import type { Color } from "../src/tui/style.ts";

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

export function measureFullFrameMs(runs = 200): number {
  const frames = [styledFrame(200, 60, 0), styledFrame(200, 60, 1)];
  const renderer = new Renderer({ colorLevel: "truecolor" });
  renderer.render(frames[1]!);
  const times: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const frame = frames[i % 2]!;
    const start = performance.now();
    const bytes = renderer.renderBytes(frame);
    const elapsed = performance.now() - start;
    if (bytes.length === 0) throw new Error("full-frame diff wrote nothing");
    if (i >= 20) times.push(elapsed); // the first runs warm up the JIT
  }
  return median(times);
}

export function measureOneCellBytes(): number {
  const buf = new ScreenBuffer(200, 60);
  buf.setString(0, 0, "warren dashboard", { bold: true });
  const renderer = new Renderer({ colorLevel: "truecolor" });
  renderer.render(buf);
  buf.setString(150, 45, "x");
  return renderer.renderBytes(buf).length;
}

export function measureIdleBytes(seconds = 5, fps = 15): number {
  const buf = styledFrame(200, 60, 0);
  const renderer = new Renderer({ colorLevel: "truecolor" });
  renderer.render(buf);
  let bytes = 0;
  for (let frame = 0; frame < seconds * fps; frame++) {
    // An idle app redraws the same view into the same buffer.
    bytes += renderer.renderBytes(buf).length;
  }
  return bytes;
}

export const tuiBench: BenchSuite = {
  name: "tui",
  description: "terminal engine: full-frame diff time, one-cell bytes, idle bytes",
  run(report: (result: BenchResult) => void): Promise<void> {
    report({
      name: "tui_full_frame_diff_ms",
      value: measureFullFrameMs(),
      unit: "ms",
      goal: "<= 2 ms",
    });
    report({
      name: "tui_one_cell_bytes",
      value: measureOneCellBytes(),
      unit: "bytes",
      goal: "<= 32",
    });
    report({ name: "tui_idle_bytes_5s", value: measureIdleBytes(), unit: "bytes", goal: "0" });
    return Promise.resolve();
  },
};

if (import.meta.main) {
  await tuiBench.run((r) => console.log(`${r.name}\t${r.value}\t${r.unit}\t(goal ${r.goal})`));
}
