/**
 * The screen's look: the theme's styles (with and without colors) and glyphs,
 * and what the environment lets the screen use (color depth, glyph set).
 */
import {
  type ColorFlag,
  type ColorLevel,
  detectColorLevel,
  detectUnicode,
  type Style,
} from "../tui/style.ts";
import { type Symbols, symbolsFor } from "../tui/symbols.ts";

export interface Theme {
  symbols: Symbols;
  styles: ThemeStyles;
}

export interface ThemeStyles {
  tab: Style;
  activeTab: Style;
  status: Style;
  error: Style;
  border: Style;
}

/** With colors: cyan accents on the default background. */
export const COLOR_STYLES: ThemeStyles = {
  tab: { fg: 7 },
  activeTab: { fg: 0, bg: 6, bold: true },
  status: { fg: 0, bg: 7 },
  error: { fg: 15, bg: 1, bold: true },
  border: { fg: 6 },
};

/** Without colors (NO_COLOR, --color never) emphasis comes from reverse video and bold. */
export const MONO_STYLES: ThemeStyles = {
  tab: {},
  activeTab: { reverse: true, bold: true },
  status: { reverse: true },
  error: { reverse: true, bold: true },
  border: {},
};

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
