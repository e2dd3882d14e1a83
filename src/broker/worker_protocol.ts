/**
 * The messages between the dashboard and the embedded broker's Worker (types
 * only): the app may import the broker's types, never its code, so this is
 * all it knows of the Worker besides its entry's URL.
 */

/** The UI thread to the broker Worker. */
export type BrokerWorkerCommand =
  /** Listen on these ports (0: any free one); a port taken falls back to a free one. */
  /**
   * `dataDir`: where durable data is kept (absent: the state directory,
   * `$XDG_STATE_HOME/warren/broker`; "none": nothing is kept).
   */
  | { type: "start"; hostname: string; port: number; httpPort: number; dataDir?: string }
  /** Close every client connection (320) and stop listening; `stopped` follows. */
  | { type: "stop" };

/** The broker Worker to the UI thread. */
export type BrokerWorkerMessage =
  /** Listening: AMQP on `port`, the management API on `httpPort`. */
  | { type: "ready"; hostname: string; port: number; httpPort: number }
  | { type: "failed"; error: string }
  | { type: "stopped" };
