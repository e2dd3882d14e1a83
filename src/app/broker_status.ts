/**
 * What the dashboard knows of its broker connection, as plain data for the
 * model, and how the status bar and the banner say it. Never holds a
 * password: URLs are redacted before they get here.
 */
import { redactUrl } from "./broker_select.ts";

export type AmqpState =
  | { state: "connecting" }
  | { state: "up" }
  | { state: "reconnecting"; inS: number; error: string }
  /** The embedded broker could not start: nothing to reconnect to. */
  | { state: "failed"; error: string };

export type MgmtState =
  | { state: "unknown" }
  | { state: "ok" }
  | { state: "unreachable"; error: string };

export interface BrokerStatus {
  /** `embedded`: started by this dashboard; `external`: any other (RabbitMQ, a warren broker). */
  kind: "embedded" | "external";
  /** The AMQP URL, password hidden. */
  url: string;
  /** The management API's URL, credentials removed. */
  mgmtUrl: string;
  /** From the AMQP server properties (product, version), once connected. */
  product?: string;
  version?: string;
  amqp: AmqpState;
  mgmt: MgmtState;
}

export function initialBrokerStatus(
  kind: BrokerStatus["kind"],
  amqpUrl: string,
  mgmtUrl: string,
): BrokerStatus {
  return {
    kind,
    url: redactUrl(amqpUrl),
    mgmtUrl: withoutCredentials(mgmtUrl),
    amqp: { state: "connecting" },
    mgmt: { state: "unknown" },
  };
}

export function withoutCredentials(text: string): string {
  try {
    const url = new URL(text);
    url.username = "";
    url.password = "";
    return url.href.replace(/\/$/, "");
  } catch {
    return redactUrl(text);
  }
}

/** The fix a person needs when RabbitMQ's management API does not answer. */
export const MGMT_FIX = "rabbitmq-plugins enable rabbitmq_management";

/** The status bar's right-hand segments, most important first (the bar keeps them). */
export function brokerSegments(status: BrokerStatus): string[] {
  const name = status.kind === "embedded"
    ? "embedded"
    : status.product === undefined
    ? "broker"
    : status.product;
  const kind = status.version ? `${name} ${status.version}` : name;
  const amqp = status.amqp.state === "up"
    ? status.url
    : status.amqp.state === "connecting"
    ? `connecting to ${status.url}`
    : status.amqp.state === "failed"
    ? "not started (see tab 4)"
    : `reconnecting in ${status.amqp.inS}s`;
  const mgmt = status.mgmt.state === "ok"
    ? "api ok"
    : status.mgmt.state === "unknown"
    ? "api ?"
    : "api unreachable";
  return [kind, amqp, mgmt];
}

/** Why there is no broker, for the RabbitMQ panel; undefined while there is one. */
export function brokerProblem(status: BrokerStatus | undefined): string | undefined {
  if (status?.amqp.state === "failed") return `the embedded broker failed: ${status.amqp.error}`;
  if (status?.amqp.state === "reconnecting") {
    return `${status.url}: ${status.amqp.error}; reconnecting in ${status.amqp.inS}s`;
  }
  return undefined;
}

/**
 * The banner's text when the management API cannot be reached though the
 * broker answers AMQP (so the plugin may be the fix), else undefined.
 */
export function mgmtBanner(status: BrokerStatus | undefined): string | undefined {
  if (!status || status.mgmt.state !== "unreachable" || status.amqp.state !== "up") {
    return undefined;
  }
  return `management API unreachable at ${status.mgmtUrl} (${status.mgmt.error}); ` +
    `on RabbitMQ: ${MGMT_FIX}`;
}
