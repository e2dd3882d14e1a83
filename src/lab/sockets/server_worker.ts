/**
 * A server's own Worker, as the blocking and multiplexed models run it: the
 * Worker spends its life in calls that wait (it reads no messages), reports
 * `ready`, notices and `stopped`/`failed` back, and is stopped through
 * shared memory by its owner, then given a grace period to leave its loop
 * before it is terminated.
 */

/** What a server's Worker posts back. */
export type ServerWorkerReport =
  | { type: "ready" }
  | { type: "notice"; line: string }
  | { type: "stopped" }
  | { type: "failed"; message: string };

export class ServerWorker {
  /** Null once the Worker is serving, or why it could not start. */
  readonly ready: Promise<string | null>;
  readonly #worker: Worker;
  readonly #stopped: Promise<void>;

  /** Starts `url` and posts it `start`; `onFailed` hears a failure after the start too. */
  constructor(
    url: URL,
    start: unknown,
    { notice, onFailed }: { notice: (line: string) => void; onFailed?: (message: string) => void },
  ) {
    let settle!: (error: string | null) => void;
    this.ready = new Promise((resolve) => settle = resolve);
    let stopped!: () => void;
    this.#stopped = new Promise((resolve) => stopped = resolve);
    this.#worker = new Worker(url, { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<ServerWorkerReport>) => {
      const m = e.data;
      if (m.type === "ready") settle(null);
      else if (m.type === "notice") notice(m.line);
      else if (m.type === "failed") {
        settle(m.message);
        onFailed?.(m.message);
        stopped();
      } else stopped();
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      settle(e.message);
      stopped();
    };
    this.#worker.postMessage(start);
  }

  /**
   * After the owner asked it to stop: waits up to `graceMs` for the Worker to
   * say it stopped, then terminates it (it may still be blocked in a call).
   */
  async stopped(graceMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
    await Promise.race([this.#stopped, grace]);
    clearTimeout(timer);
    this.#worker.terminate();
  }
}
