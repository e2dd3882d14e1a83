/**
 * Cell styles and terminal capability detection: how many colors the
 * terminal takes (truecolor / 256 / 16 / none) and whether it speaks UTF-8.
 * Colors are packed into numbers for the buffer's typed arrays; the diff
 * downgrades them to the detected level when it writes SGR.
 */

/** "default", a palette index 0..255 (0..15 = the 16 ANSI colors) or `#rrggbb`. */
export type Color = "default" | number | `#${string}`;

export interface Style {
  fg?: Color;
  bg?: Color;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  reverse?: boolean;
}

export type ColorLevel = "none" | "16" | "256" | "truecolor";
export type ColorFlag = "auto" | "never" | "always" | "16" | "256" | "truecolor";

/**
 * The color level to draw with. `NO_COLOR` (any non-empty value, see
 * no-color.org) and `TERM=dumb` turn colors off unless a flag forces them;
 * `COLORTERM=truecolor|24bit` gives truecolor, a `*-256color` TERM gives 256,
 * any other TERM gives 16, no TERM at all (not a terminal) gives none.
 * `--color always` forces colors on at the detected level, 16 at least.
 */
export function detectColorLevel(
  env: Record<string, string | undefined>,
  flag: ColorFlag = "auto",
): ColorLevel {
  if (flag === "never") return "none";
  if (flag === "16" || flag === "256" || flag === "truecolor") return flag;
  const term = (env.TERM ?? "").toLowerCase();
  const colorterm = (env.COLORTERM ?? "").toLowerCase();
  let level: ColorLevel;
  if (colorterm === "truecolor" || colorterm === "24bit" || /-direct$|truecolor/.test(term)) {
    level = "truecolor";
  } else if (term.includes("256color")) {
    level = "256";
  } else if (term === "" || term === "dumb") {
    level = "none";
  } else {
    level = "16";
  }
  if (flag === "always") return level === "none" ? "16" : level;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return "none";
  return level;
}

/**
 * Whether the locale is UTF-8. The first non-empty of LC_ALL, LC_CTYPE, LANG
 * decides (POSIX precedence); none at all means the C locale, i.e. ASCII.
 */
export function detectUnicode(env: Record<string, string | undefined>): boolean {
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== "");
  return locale !== undefined && /utf-?8/i.test(locale);
}

/** `over` on top of `base`: fields set in `over` win, unset fields keep `base`. */
export function mergeStyle(base: Style, over: Style): Style {
  const out: Style = { ...base };
  for (const key of Object.keys(over) as (keyof Style)[]) {
    const value = over[key];
    // deno-lint-ignore no-explicit-any
    if (value !== undefined) (out as any)[key] = value;
  }
  return out;
}

// ---- packing (used by the buffer and the diff) ----

/** Packed "default" color. */
export const DEFAULT_COLOR = -1;
/** Packed truecolor values are `TRUECOLOR | 0xrrggbb`. */
export const TRUECOLOR = 0x1000000;

export const ATTR_BOLD = 1;
export const ATTR_DIM = 2;
export const ATTR_ITALIC = 4;
export const ATTR_UNDERLINE = 8;
export const ATTR_REVERSE = 16;

const ATTRS: [keyof Style, number][] = [
  ["bold", ATTR_BOLD],
  ["dim", ATTR_DIM],
  ["italic", ATTR_ITALIC],
  ["underline", ATTR_UNDERLINE],
  ["reverse", ATTR_REVERSE],
];

const packCache = new Map<string, number>();

/** Color -> number; throws a RangeError on a bad palette index or hex string. */
export function packColor(color: Color | undefined): number {
  if (color === undefined || color === "default") return DEFAULT_COLOR;
  if (typeof color === "number") {
    if (!Number.isInteger(color) || color < 0 || color > 255) {
      throw new RangeError(`Bad palette color ${color}: expected an integer 0..255`);
    }
    return color;
  }
  let packed = packCache.get(color);
  if (packed === undefined) {
    if (!/^#[0-9a-fA-F]{6}$/.test(color)) {
      throw new RangeError(`Bad color '${color}': expected #rrggbb`);
    }
    packed = TRUECOLOR | parseInt(color.slice(1), 16);
    packCache.set(color, packed);
  }
  return packed;
}

/** Number -> Color (the inverse of packColor). */
export function unpackColor(packed: number): Color {
  if (packed === DEFAULT_COLOR) return "default";
  if (packed >= TRUECOLOR) return `#${(packed & 0xffffff).toString(16).padStart(6, "0")}`;
  return packed;
}

/**
 * Applies the attribute fields of `style` to packed `attrs`: true sets the
 * bit, false clears it, undefined keeps it.
 */
export function patchAttrs(attrs: number, style: Style): number {
  for (const [key, bit] of ATTRS) {
    const value = style[key];
    if (value === true) attrs |= bit;
    else if (value === false) attrs &= ~bit;
  }
  return attrs;
}

/** Packed cell style -> Style with only the fields that differ from the default. */
export function unpackStyle(fg: number, bg: number, attrs: number): Style {
  const style: Style = {};
  if (fg !== DEFAULT_COLOR) style.fg = unpackColor(fg);
  if (bg !== DEFAULT_COLOR) style.bg = unpackColor(bg);
  for (const [key, bit] of ATTRS) {
    // deno-lint-ignore no-explicit-any
    if (attrs & bit) (style as any)[key] = true;
  }
  return style;
}

// ---- color downgrade ----

/** xterm's default RGB values for the 16 ANSI colors. */
const ANSI16_RGB: readonly number[] = [
  0x000000,
  0xcd0000,
  0x00cd00,
  0xcdcd00,
  0x0000ee,
  0xcd00cd,
  0x00cdcd,
  0xe5e5e5,
  0x7f7f7f,
  0xff0000,
  0x00ff00,
  0xffff00,
  0x5c5cff,
  0xff00ff,
  0x00ffff,
  0xffffff,
];
const CUBE_STEPS = [0, 95, 135, 175, 215, 255];

/** The RGB value of a palette index, as xterm draws it. */
export function paletteRgb(index: number): number {
  if (index < 16) return ANSI16_RGB[index]!;
  if (index < 232) {
    const i = index - 16;
    const r = CUBE_STEPS[Math.floor(i / 36)]!;
    const g = CUBE_STEPS[Math.floor(i / 6) % 6]!;
    const b = CUBE_STEPS[i % 6]!;
    return (r << 16) | (g << 8) | b;
  }
  const v = 8 + (index - 232) * 10;
  return (v << 16) | (v << 8) | v;
}

function distance(a: number, b: number): number {
  const dr = ((a >> 16) & 255) - ((b >> 16) & 255);
  const dg = ((a >> 8) & 255) - ((b >> 8) & 255);
  const db = (a & 255) - (b & 255);
  return dr * dr * 2 + dg * dg * 4 + db * db * 3;
}

function nearest(rgb: number, from: number, to: number): number {
  let best = from;
  let bestDistance = Infinity;
  for (let i = from; i < to; i++) {
    const d = distance(rgb, paletteRgb(i));
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

const downgradeCache = new Map<number, number>();

/**
 * A packed color as the terminal at `level` can show it: truecolor -> the
 * nearest of the 256-color cube and gray ramp -> the nearest ANSI color;
 * "none" -> default.
 */
export function downgradePacked(packed: number, level: ColorLevel): number {
  if (packed === DEFAULT_COLOR || level === "truecolor") return packed;
  if (level === "none") return DEFAULT_COLOR;
  if (level === "256") return packed >= TRUECOLOR ? to256(packed & 0xffffff) : packed;
  // "16"
  if (packed < 16) return packed;
  const key = packed + (1 << 26);
  let out = downgradeCache.get(key);
  if (out === undefined) {
    const rgb = packed >= TRUECOLOR ? packed & 0xffffff : paletteRgb(packed);
    out = nearest(rgb, 0, 16);
    downgradeCache.set(key, out);
  }
  return out;
}

function to256(rgb: number): number {
  let out = downgradeCache.get(rgb);
  if (out === undefined) {
    // Search the cube and the gray ramp only: the 16 ANSI colors are themable
    // and would not look the same on every terminal.
    out = nearest(rgb, 16, 256);
    downgradeCache.set(rgb, out);
  }
  return out;
}

/** Color-level downgrade on the public Color type. */
export function downgradeColor(color: Color, level: ColorLevel): Color {
  return unpackColor(downgradePacked(packColor(color), level));
}
