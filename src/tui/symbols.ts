/**
 * Glyphs for borders, arrows, bars and markers, in a UTF-8 and an ASCII
 * variant (for a C locale or `--ascii`). Widgets take a `Symbols` so the
 * ASCII screen contains no box-drawing bytes at all.
 */

export interface BorderSymbols {
  topLeft: string;
  topRight: string;
  bottomLeft: string;
  bottomRight: string;
  horizontal: string;
  vertical: string;
}

export interface Symbols {
  unicode: boolean;
  border: BorderSymbols;
  /** A heavier border for the focused block. */
  borderFocused: BorderSymbols;
  arrowUp: string;
  arrowDown: string;
  arrowLeft: string;
  arrowRight: string;
  /** Sort indicators in a table header. */
  sortAscending: string;
  sortDescending: string;
  /** Marks the selected row of a table or list. */
  selected: string;
  ellipsis: string;
  /** Sparkline levels, lowest to highest, each one cell wide; [0] is empty. */
  sparkline: readonly string[];
  gaugeFilled: string;
  gaugeEmpty: string;
  scrollThumb: string;
  scrollTrack: string;
  /** Separates status bar segments. */
  separator: string;
}

const UNICODE: Symbols = {
  unicode: true,
  border: {
    topLeft: "┌",
    topRight: "┐",
    bottomLeft: "└",
    bottomRight: "┘",
    horizontal: "─",
    vertical: "│",
  },
  borderFocused: {
    topLeft: "┏",
    topRight: "┓",
    bottomLeft: "┗",
    bottomRight: "┛",
    horizontal: "━",
    vertical: "┃",
  },
  arrowUp: "↑",
  arrowDown: "↓",
  arrowLeft: "←",
  arrowRight: "→",
  sortAscending: "▲",
  sortDescending: "▼",
  selected: "▶",
  ellipsis: "…",
  sparkline: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
  gaugeFilled: "█",
  gaugeEmpty: "░",
  scrollThumb: "█",
  scrollTrack: "│",
  separator: "│",
};

const ASCII: Symbols = {
  unicode: false,
  border: {
    topLeft: "+",
    topRight: "+",
    bottomLeft: "+",
    bottomRight: "+",
    horizontal: "-",
    vertical: "|",
  },
  borderFocused: {
    topLeft: "#",
    topRight: "#",
    bottomLeft: "#",
    bottomRight: "#",
    horizontal: "=",
    vertical: "#",
  },
  arrowUp: "^",
  arrowDown: "v",
  arrowLeft: "<",
  arrowRight: ">",
  sortAscending: "^",
  sortDescending: "v",
  selected: ">",
  ellipsis: "~",
  sparkline: [" ", "_", "_", ".", ".", "-", "=", "*", "#"],
  gaugeFilled: "#",
  gaugeEmpty: ".",
  scrollThumb: "#",
  scrollTrack: "|",
  separator: "|",
};

/** The UTF-8 set when `unicode` is true, the ASCII set otherwise. */
export function symbolsFor(unicode: boolean): Symbols {
  return unicode ? UNICODE : ASCII;
}
