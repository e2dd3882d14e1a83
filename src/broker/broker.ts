/**
 * The broker's state independent of any socket: users, vhosts, live
 * connections and the limits every connection negotiates from.
 */
import type { User } from "./auth.ts";
import type { Clock } from "./clock.ts";
import { realClock } from "./clock.ts";
import { Vhost } from "./vhost.ts";

export interface BrokerLimits {
  /** Offered in connection.tune. */
  channelMax: number;
  frameMax: number;
  /** Seconds; 0 disables. */
  heartbeat: number;
  /** Largest message body accepted (406 beyond). */
  maxMessageSize: number;
  handshakeTimeoutMs: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  channelMax: 2047,
  frameMax: 131072,
  heartbeat: 60,
  maxMessageSize: 128 * 1024 * 1024,
  handshakeTimeoutMs: 10_000,
};

/** What the broker needs to tell a connection (to close it on shutdown). */
export interface BrokerConnection {
  forceClose(code: number, text: string): Promise<void>;
}

export class BrokerCore {
  readonly users = new Map<string, User>([
    ["guest", { name: "guest", password: "guest", loopbackOnly: true }],
  ]);
  readonly vhosts = new Map<string, Vhost>();
  readonly connections = new Set<BrokerConnection>();

  constructor(
    readonly limits: BrokerLimits = DEFAULT_LIMITS,
    readonly clock: Clock = realClock,
    readonly log: (line: string) => void = () => {},
  ) {
    this.vhosts.set("/", new Vhost("/", clock));
  }
}
