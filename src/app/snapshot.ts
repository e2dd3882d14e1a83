/** `start --snapshot`: one frame as plain text, for scripts, tests and the README. */
import { ScreenBuffer } from "../tui/buffer.ts";
import type { StartOptions } from "./start_options.ts";
import { initialState } from "./model.ts";
import { screenCapabilities } from "./theme.ts";
import { view } from "./view.ts";

export function snapshotText(
  options: Pick<StartOptions, "size" | "panel" | "ascii" | "color">,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): string {
  const { width, height } = options.size ?? { width: 80, height: 24 };
  const buf = new ScreenBuffer(width, height);
  const { theme } = screenCapabilities(env, options);
  view(initialState({ panel: options.panel, width, height }), buf, theme);
  return buf.toLines().map((line) => line.trimEnd()).join("\n");
}
