/** `start --snapshot`: one frame as plain text, for scripts, tests and the README. */
import { ScreenBuffer } from "../tui/buffer.ts";
import type { StartOptions } from "./start_options.ts";
import { type AppState, initialState } from "./model.ts";
import { screenCapabilities } from "./theme.ts";
import { view } from "./view.ts";

export type SnapshotOptions = Pick<
  StartOptions,
  "size" | "panel" | "ascii" | "color" | "readOnly"
>;

export function snapshotText(
  options: SnapshotOptions,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): string {
  const { width, height } = options.size ?? { width: 80, height: 24 };
  const state = initialState({ panel: options.panel, width, height, readOnly: options.readOnly });
  return frameText(state, options, env);
}

/** Draws `state` (its own size) as plain text, trailing spaces trimmed. */
export function frameText(
  state: AppState,
  options: SnapshotOptions,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): string {
  const buf = new ScreenBuffer(state.width, state.height);
  const { theme } = screenCapabilities(env, options);
  view(state, buf, theme);
  return buf.toLines().map((line) => line.trimEnd()).join("\n");
}
