/**
 * The real TTY: raw mode, alternate screen, hidden cursor, bracketed paste
 * (and optional mouse), size and resize, input chunks, and above all putting
 * all of it back. A dashboard that dies with the terminal in raw mode on the
 * alternate screen leaves its user with a shell that echoes nothing, so
 * `restore()` runs on every way out: normal return (`withTerminal`),
 * `Deno.exit` (the `unload` event), SIGINT/SIGTERM/SIGHUP, an uncaught error
 * and an unhandled rejection — and the error is printed only after restore,
 * on the normal screen where the user can read it.
 *
 * Everything that touches the process is injectable (writer, stdin, size,
 * signals, exit, timers) so tests drive it with fakes; the defaults are the
 * Deno APIs.
 */
import {
  ALT_SCREEN_OFF,
  ALT_SCREEN_ON,
  BRACKETED_PASTE_OFF,
  BRACKETED_PASTE_ON,
  CLEAR_SCREEN,
  CURSOR_HIDE,
  CURSOR_HOME,
  CURSOR_SHOW,
  MOUSE_OFF,
  MOUSE_ON,
  SGR_RESET,
} from "./ansi.ts";

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Writes all of `bytes` synchronously (so restore bytes go out before an exit). */
export type Writer = (bytes: Uint8Array) => void;

/** The parts of `Deno.stdin` the terminal uses. */
export interface TtyInput {
  isTerminal(): boolean;
  setRaw(mode: boolean, options?: { cbreak: boolean }): void;
  read(buffer: Uint8Array): Promise<number | null>;
}

/** `Deno.addSignalListener` / `Deno.removeSignalListener`, injectable. */
export interface SignalHost {
  add(signal: Deno.Signal, handler: () => void): void;
  remove(signal: Deno.Signal, handler: () => void): void;
}

/** Timer ids are opaque: Deno's are numbers or Node-style `Timeout` objects by version. */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
}

export interface TerminalOptions {
  /** Default: synchronous writes to stdout. */
  write?: Writer;
  /** Default: `Deno.stdin`. */
  input?: TtyInput;
  /** Default: `Deno.consoleSize()` (80x24 when there is no console). */
  size?: () => TerminalSize;
  /** Default: Deno's signal listeners. */
  signals?: SignalHost;
  /** Default: `Deno.exit`. */
  exit?: (code: number) => void;
  /** Prints a crash after restore. Default: the error's stack on stderr. */
  reportError?: (error: unknown) => void;
  /** Events for crashes and exit (`error`, `unhandledrejection`, `unload`). Default: `globalThis`. */
  events?: EventTarget;
  timers?: Timers;
  /** Turn on SGR mouse reporting (off by default: it disables the terminal's own text selection). */
  mouse?: boolean;
  /** Size poll for terminals/multiplexers that miss SIGWINCH; 0 turns it off. Default 500 ms. */
  pollMs?: number;
}

/** Exit code for a vanished terminal, the same as for SIGHUP. */
const HANGUP_EXIT_CODE = 129;

/** Exit codes by the shell convention 128 + signal number. */
const SIGNAL_EXIT_CODES: [Deno.Signal, number][] = [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", HANGUP_EXIT_CODE],
];

const encoder = new TextEncoder();

export class Terminal {
  readonly #write: Writer;
  readonly #input: TtyInput;
  readonly #size: () => TerminalSize;
  readonly #signals: SignalHost;
  readonly #exit: (code: number) => void;
  readonly #reportError: (error: unknown) => void;
  readonly #events: EventTarget;
  readonly #timers: Timers;
  readonly #mouse: boolean;
  readonly #pollMs: number;

  #active = false;
  #rawOn = false;
  #pollId: unknown = null;
  #lastSize: TerminalSize | null = null;
  readonly #resizeListeners = new Set<(size: TerminalSize) => void>();
  readonly #signalHandlers: [Deno.Signal, () => void][] = [];

  constructor(options: TerminalOptions = {}) {
    this.#write = options.write ?? writeStdout;
    this.#input = options.input ?? Deno.stdin;
    this.#size = options.size ?? consoleSize;
    this.#signals = options.signals ?? denoSignals;
    this.#exit = options.exit ?? ((code) => Deno.exit(code));
    this.#reportError = options.reportError ?? printError;
    this.#events = options.events ?? globalThis;
    this.#timers = options.timers ?? {
      setInterval: (fn, ms) => {
        const id: unknown = setInterval(fn, ms);
        // The poll alone must not keep the process alive.
        if (typeof id === "number") Deno.unrefTimer(id);
        else (id as { unref?: () => void }).unref?.();
        return id;
      },
      clearInterval: (id) => clearInterval(id as Parameters<typeof clearInterval>[0]),
    };
    this.#mouse = options.mouse ?? false;
    this.#pollMs = options.pollMs ?? 500;
  }

  /** True between `enter()` and `restore()`. */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Takes over the terminal. Exit paths are hooked first, so a failure half
   * way through set-up is still undone.
   */
  enter(): void {
    if (this.#active) return;
    if (!this.#input.isTerminal()) {
      throw new TypeError("Cannot take over the terminal: stdin is not a terminal");
    }
    this.#active = true;
    this.#installExitHooks();
    this.#input.setRaw(true, { cbreak: false });
    this.#rawOn = true;
    this.write(
      ALT_SCREEN_ON + CURSOR_HIDE + BRACKETED_PASTE_ON + (this.#mouse ? MOUSE_ON : "") +
        SGR_RESET + CLEAR_SCREEN + CURSOR_HOME,
    );
    this.#lastSize = this.size();
    this.#signalAdd("SIGWINCH", this.#checkSize);
    if (this.#pollMs > 0) this.#pollId = this.#timers.setInterval(this.#checkSize, this.#pollMs);
  }

  /**
   * Puts the terminal back as it was; safe to call any number of times and
   * from any exit path. Each step is tried on its own, so when the TTY is
   * already gone (SSH drop: writes fail) the rest still happens.
   */
  restore(): void {
    this.#restoreScreen();
    this.#removeHooks();
  }

  /** Screen and tty back to normal; the exit hooks stay (see `#exitOn`). */
  #restoreScreen(): void {
    if (!this.#active) return;
    this.#active = false;
    try {
      this.#write(
        encoder.encode(
          (this.#mouse ? MOUSE_OFF : "") + BRACKETED_PASTE_OFF + SGR_RESET + CURSOR_SHOW +
            ALT_SCREEN_OFF,
        ),
      );
    } catch {
      // The terminal is gone; nothing left to show.
    }
    if (this.#rawOn) {
      try {
        this.#input.setRaw(false);
      } catch {
        // As above: no TTY, no mode to reset.
      }
      this.#rawOn = false;
    }
    if (this.#pollId !== null) this.#timers.clearInterval(this.#pollId);
    this.#pollId = null;
  }

  #removeHooks(): void {
    for (const [signal, handler] of this.#signalHandlers.splice(0)) {
      try {
        this.#signals.remove(signal, handler);
      } catch {
        // Never registered on this platform.
      }
    }
    this.#events.removeEventListener("error", this.#onError);
    this.#events.removeEventListener("unhandledrejection", this.#onRejection);
    this.#events.removeEventListener("unload", this.#onUnload);
  }

  /** Writes text (UTF-8) or bytes to the terminal. */
  write(data: string | Uint8Array): void {
    this.#write(typeof data === "string" ? encoder.encode(data) : data);
  }

  /** The current size in cells. */
  size(): TerminalSize {
    return this.#size();
  }

  /** Calls `listener` with the new size whenever it changes; returns the unsubscribe function. */
  onResize(listener: (size: TerminalSize) => void): () => void {
    this.#resizeListeners.add(listener);
    return () => this.#resizeListeners.delete(listener);
  }

  /**
   * Input chunks as they are read from stdin (each a fresh copy), until EOF.
   *
   * While the terminal is entered, EOF or a read error means the TTY hung up:
   * in raw mode Ctrl-D is just byte 0x04, so only a vanished terminal (SSH
   * drop, closed window) ends the stream. That often arrives before SIGHUP
   * does, so it is handled the same way: restore as far as possible, exit 129.
   */
  async *input(bufferSize = 4096): AsyncGenerator<Uint8Array> {
    const buffer = new Uint8Array(bufferSize);
    while (true) {
      let n: number | null;
      try {
        n = await this.#input.read(buffer);
      } catch {
        n = null;
      }
      if (n === null) {
        if (this.#active) this.#exitOn(HANGUP_EXIT_CODE);
        return;
      }
      if (n > 0) yield buffer.slice(0, n);
    }
  }

  #installExitHooks(): void {
    for (const [signal, code] of SIGNAL_EXIT_CODES) {
      this.#signalAdd(signal, () => this.#exitOn(code));
    }
    this.#events.addEventListener("error", this.#onError);
    this.#events.addEventListener("unhandledrejection", this.#onRejection);
    this.#events.addEventListener("unload", this.#onUnload);
  }

  /**
   * Restores the screen and exits, leaving the signal listeners in place:
   * Deno re-raises a signal that arrives with no listener, so after a hang-up
   * seen as EOF the SIGHUP that follows would otherwise kill the process with
   * the default action before `exit` sets the code.
   */
  #exitOn(code: number): void {
    this.#restoreScreen();
    this.#exit(code);
  }

  #signalAdd(signal: Deno.Signal, handler: () => void): void {
    try {
      this.#signals.add(signal, handler);
      this.#signalHandlers.push([signal, handler]);
    } catch {
      // Not supported here (e.g. SIGWINCH/SIGHUP on Windows); the size poll covers resize.
    }
  }

  #checkSize = (): void => {
    let size: TerminalSize;
    try {
      size = this.size();
    } catch {
      return;
    }
    const last = this.#lastSize;
    if (last && last.columns === size.columns && last.rows === size.rows) return;
    this.#lastSize = size;
    for (const listener of this.#resizeListeners) listener(size);
  };

  #crash(error: unknown): void {
    this.#restoreScreen();
    try {
      this.#reportError(error);
    } finally {
      this.#exit(1);
    }
  }

  // Typed as EventListener: with node types loaded there are two `Event`
  // declarations, and only the listener type is common to both.
  #onError: EventListener = (event): void => {
    event.preventDefault();
    this.#crash((event as ErrorEvent).error ?? (event as ErrorEvent).message);
  };

  #onRejection: EventListener = (event): void => {
    event.preventDefault();
    this.#crash((event as PromiseRejectionEvent).reason);
  };

  // The process is exiting: restore the screen, keep the hooks (see `#exitOn`).
  #onUnload = (): void => {
    this.#restoreScreen();
  };
}

/**
 * Runs `fn` with the terminal taken over and guarantees `restore()` before
 * the result or error comes back, so an error thrown by `fn` is printed by the
 * caller on the normal screen.
 */
export async function withTerminal<T>(
  fn: (term: Terminal) => Promise<T> | T,
  options: TerminalOptions = {},
): Promise<T> {
  const term = new Terminal(options);
  try {
    term.enter();
    return await fn(term);
  } finally {
    term.restore();
  }
}

function writeStdout(bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}

function consoleSize(): TerminalSize {
  try {
    return Deno.consoleSize();
  } catch {
    return { columns: 80, rows: 24 };
  }
}

function printError(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  try {
    Deno.stderr.writeSync(encoder.encode(`error: ${text}\n`));
  } catch {
    // No stderr either (SSH drop): nothing more to do.
  }
}

const denoSignals: SignalHost = {
  add: (signal, handler) => Deno.addSignalListener(signal, handler),
  remove: (signal, handler) => Deno.removeSignalListener(signal, handler),
};
