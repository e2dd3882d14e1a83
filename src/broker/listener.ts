/**
 * The accept loop. It never stops accepting for good: when the process is out
 * of file descriptors (EMFILE, ENFILE) accept() fails, and Deno's node:net
 * listener then stops for ever without a word; here the failure is logged
 * once, accepting pauses briefly (doubling up to a second) and resumes, as
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
  /** How many connections are open now. */
  openConnections(): number;
  onConnection(socket: TcpSocket): void;
  timers: BrokerTimers;
  log(line: string): void;
}

/** First and longest pause after a failed accept. */
const PAUSE_MIN_MS = 50;
const PAUSE_MAX_MS = 1000;

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
    let refusing = false;
    while (!this.#closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.#closed) return;
        // One line per episode, not one per failed accept.
        if (pause === 0) this.opts.log(`accept failed, pausing accepts: ${describe(e)}`);
        pause = Math.min(PAUSE_MAX_MS, Math.max(PAUSE_MIN_MS, pause * 2));
        await this.#sleep(pause);
        continue;
      }
      if (pause !== 0) {
        this.opts.log("accepting connections again");
        pause = 0;
      }
      if (this.opts.openConnections() >= this.opts.maxConnections) {
        if (!refusing) {
          this.opts.log(
            `refusing connections: ${this.opts.maxConnections} open, the maximum (--max-connections)`,
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
