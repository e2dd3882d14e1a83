/**
 * The live dashboard's broker, from `--broker` to a running link: choose
 * (auto probes 127.0.0.1:5672), start the embedded broker's Worker when
 * chosen, then keep a link whose statuses come back as `broker` events. All
 * async, started after the first frame, so choosing never delays the screen.
 */
import { errorMessage } from "../util/error_message.ts";
import { type BrokerChoice, chooseBroker, defaultMgmtUrl, urlVhost } from "./broker_select.ts";
import { initialBrokerStatus } from "./broker_status.ts";
import { type BrokerLink, startBrokerLink } from "./broker_link.ts";
import { type EmbeddedBroker, startEmbeddedBroker } from "./broker_worker.ts";
import type { StartOptions } from "./start_options.ts";
import { peekQueue } from "./mgmt_peek.ts";
import { performAction } from "./mgmt_actions.ts";
import type { RabbitAction } from "./rabbit.ts";
import type { AppEvent } from "./update.ts";

export interface BrokerSession {
  /** Closes the link and stops the embedded broker, if this session started one. */
  close(): Promise<void>;
  /** Peeks at a queue through the management API; the answer comes as a `peek` event. */
  peek(vhost: string, queue: string): void;
  /** Purges or deletes through the management API; the answer comes as a `rabbit-done` event. */
  act(action: RabbitAction): void;
}

export interface BrokerSessionOptions {
  broker: StartOptions["broker"];
  mgmtUrl?: string;
  /** Ports the embedded broker asks for first (5672/15672; tests pass 0). */
  embeddedPorts?: StartOptions["embeddedPorts"];
  /** The embedded broker's data dir flag (absent: the state directory; "none"). */
  embeddedDataDir?: string;
  /**
   * The chosen broker's AMQP URL, password included, once known (before the
   * link starts): for the lab's actors (`mq-connect`), never for the screen.
   */
  onAmqpUrl?: (url: string) => void;
  /** `auto`'s probe (tests inject one). */
  choose?: (flag: StartOptions["broker"]) => Promise<BrokerChoice>;
}

export function startBrokerSession(
  options: BrokerSessionOptions,
  dispatch: (event: AppEvent) => void,
): BrokerSession {
  let closed = false;
  let link: BrokerLink | undefined;
  let embedded: EmbeddedBroker | undefined;
  let mgmt: string | undefined;
  const ready = (async () => {
    const choice = await (options.choose ?? chooseBroker)(options.broker);
    if (closed) return;
    if (choice.kind === "url") {
      const mgmtUrl = options.mgmtUrl ?? defaultMgmtUrl(choice.url);
      mgmt = mgmtUrl;
      options.onAmqpUrl?.(choice.url);
      link = startBrokerLink({
        kind: "external",
        amqpUrl: choice.url,
        mgmtUrl,
        vhost: urlVhost(choice.url),
        onStatus: (status) => dispatch({ type: "broker", status }),
        onData: (data) => dispatch({ type: "rabbit", data }),
      });
      return;
    }
    try {
      embedded = await startEmbeddedBroker({
        ...options.embeddedPorts,
        dataDir: options.embeddedDataDir,
      });
    } catch (e) {
      const status = initialBrokerStatus("embedded", "amqp://127.0.0.1", "http://127.0.0.1");
      dispatch({
        type: "broker",
        status: { ...status, amqp: { state: "failed", error: errorMessage(e) } },
      });
      return;
    }
    if (closed) return void await embedded.stop();
    mgmt = options.mgmtUrl ?? embedded.mgmtUrl;
    options.onAmqpUrl?.(embedded.amqpUrl);
    link = startBrokerLink({
      kind: "embedded",
      amqpUrl: embedded.amqpUrl,
      mgmtUrl: options.mgmtUrl ?? embedded.mgmtUrl,
      onStatus: (status) => dispatch({ type: "broker", status }),
      onData: (data) => dispatch({ type: "rabbit", data }),
    });
  })();
  return {
    peek(vhost, queue) {
      const url = mgmt;
      if (url === undefined) {
        dispatch({ type: "peek", result: { vhost, queue, error: "no broker yet" } });
        return;
      }
      void peekQueue(url, vhost, queue).then((result) => {
        if (!closed) dispatch({ type: "peek", result });
      });
    },
    act(action) {
      const url = mgmt;
      if (url === undefined) {
        dispatch({ type: "rabbit-done", result: { action, ok: false, error: "no broker yet" } });
        return;
      }
      void performAction(url, action).then((result) => {
        if (!closed) dispatch({ type: "rabbit-done", result });
      });
    },
    async close() {
      closed = true;
      await ready.catch(() => {});
      await link?.close();
      await embedded?.stop();
    },
  };
}
