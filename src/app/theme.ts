/** What the environment lets the screen use: color depth and glyph set. */
import { type ColorFlag, type ColorLevel, detectColorLevel, detectUnicode } from "../tui/style.ts";
import { symbolsFor } from "../tui/symbols.ts";
import { COLOR_STYLES, MONO_STYLES, type Theme } from "./view.ts";

export interface ScreenCapabilities {
  colorLevel: ColorLevel;
  theme: Theme;
}

/** `--ascii` forces ASCII; otherwise a non-UTF-8 locale (LANG=C) does. */
export function screenCapabilities(
  env: Record<string, string | undefined>,
  { color, ascii }: { color: ColorFlag; ascii: boolean },
): ScreenCapabilities {
  const unicode = !ascii && detectUnicode(env);
  const colorLevel = detectColorLevel(env, color);
  const styles = colorLevel === "none" ? MONO_STYLES : COLOR_STYLES;
  return { colorLevel, theme: { symbols: symbolsFor(unicode), styles } };
}
