/**
 * Every escape sequence the terminal engine writes, in one place, so the
 * set-up in `terminal.ts` and the tear-down in `restore()` cannot drift apart
 * and the renderer does not hand-type `\x1b[...` strings.
 *
 * References: xterm's ctlseqs ("XTerm Control Sequences") for the DEC private
 * modes; the synchronized-output spec (mode 2026) from contour/kitty.
 */

/** Switch to / leave the alternate screen (saves and restores the cursor too). */
export const ALT_SCREEN_ON = "\x1b[?1049h";
export const ALT_SCREEN_OFF = "\x1b[?1049l";

export const CURSOR_HIDE = "\x1b[?25l";
export const CURSOR_SHOW = "\x1b[?25h";

/** Bracketed paste: the terminal wraps pasted text in `ESC[200~` ... `ESC[201~`. */
export const BRACKETED_PASTE_ON = "\x1b[?2004h";
export const BRACKETED_PASTE_OFF = "\x1b[?2004l";
/** What the terminal sends after a bracketed paste (input side; the start is parsed as `CSI 200 ~`). */
export const PASTE_END = "\x1b[201~";

/**
 * Mouse reporting: 1000 = press/release, 1002 = drag (button-event tracking),
 * 1006 = SGR encoding (`CSI < b ; x ; y M/m`), which has no 223-column limit
 * and is the only encoding `keys.ts` parses.
 */
export const MOUSE_ON = "\x1b[?1000h\x1b[?1002h\x1b[?1006h";
export const MOUSE_OFF = "\x1b[?1006l\x1b[?1002l\x1b[?1000l";

/** Synchronized output: the terminal holds the frame until END (no tearing). */
export const SYNC_BEGIN = "\x1b[?2026h";
export const SYNC_END = "\x1b[?2026l";

/** Reset all SGR attributes (colors, bold, ...). */
export const SGR_RESET = "\x1b[0m";

/** Erase the whole screen (the cursor does not move). */
export const CLEAR_SCREEN = "\x1b[2J";
/** Cursor to the top-left cell. */
export const CURSOR_HOME = "\x1b[H";
