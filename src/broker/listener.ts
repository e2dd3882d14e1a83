/**
 * The accept loop. It never stops accepting for good: when the process is out
 * of file descriptors (EMFILE, ENFILE) accept() fails, and Deno's node:net
 * listener then stops for ever without a word; here the failure is logged
 * once, accepting pauses briefly (doubling up to a quarter second) and resumes, as
 * RabbitMQ keeps accepting once descriptors are free. Connections past the
 * configured maximum are closed at once, so the broker refuses them before
 * the process limit is reached.
 */
import type { BrokerTimers } from "./timers.ts";
import { TcpSocket } from "./tcp_socket.ts";
import { errorMessage } from "../util/error_message.ts";

export interface ListenerOptions {
  hostname: string;
  port: number;
  /** Open connections beyond which new ones are refused (closed on accept). */
  maxConnections: number;
  /** What sets that maximum, for the log line (`ulimit -n`, `--max-connections`). */
  limitName: string;
  /** How many connections are open now. */
  openConnections(): number;
  onConnection(socket: TcpSocket): void;
  timers: BrokerTimers;
  log(line: string): void;
}

/** First and longest pause after a failed accept. */
const PAUSE_MIN_MS = 50;
const PAUSE_MAX_MS = 250;
/** Failed accepts are logged at most this often (the rest are counted). */
const LOG_EVERY_MS = 10_000;

export class Listener {
  readonly port: number;
  #listener: Deno.TcpListener;
  #closed = false;
  #done: Promise<void>;

  constructor(readonly opts: ListenerOptions) {
    this.#listener = Deno.listen({ hostname: opts.hostname, port: opts.port });
    this.port = this.#listener.addr.port;
    this.#done = this.#loop();
  }

  /** Stops accepting; resolves when the loop has ended. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#listener.close();
      } catch {
        // already closed
      }
    }
    return this.#done;
  }

  async #loop(): Promise<void> {
    let pause = 0;
    let lastLogged = -Infinity;
    let unlogged = 0;
    let refusing = false;
    while (!this.#closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.#closed) return;
        // One line per episode, not one per failed accept.
        const now = this.opts.timers.now();
        if (now - lastLogged >= LOG_EVERY_MS) {
          const more = unlogged > 0 ? ` (${unlogged} more since the last line)` : "";
          this.opts.log(`accept failed${more}, pausing accepts: ${describe(e)}`);
          lastLogged = now;
          unlogged = 0;
        } else unlogged++;
        pause = Math.min(PAUSE_MAX_MS, Math.max(PAUSE_MIN_MS, pause * 2));
        await this.#sleep(pause);
        continue;
      }
      pause = 0;
      if (this.opts.openConnections() >= this.opts.maxConnections) {
        if (!refusing) {
          this.opts.log(
            `refusing connections: ${this.opts.maxConnections} open, the maximum (${this.opts.limitName})`,
          );
        }
        refusing = true;
        conn.close();
        continue;
      }
      refusing = false;
      this.opts.onConnection(new TcpSocket(conn));
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.opts.timers.setTimeout(resolve, ms));
  }
}

/** EMFILE/ENFILE said plainly, with what to do about it. */
function describe(e: unknown): string {
  const text = errorMessage(e);
  if (/os error 24\b|EMFILE/.test(text)) {
    return "too many open files (EMFILE): raise `ulimit -n` or lower --max-connections";
  }
  if (/os error 23\b|ENFILE/.test(text)) return "the system's file table is full (ENFILE)";
  return text;
}
