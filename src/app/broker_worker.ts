/**
 * The embedded broker's Worker from the UI thread: start it on 127.0.0.1
 * (5672/15672 if free, else free ports), wait until it listens, stop it.
 * The app names the Worker's entry by URL only and talks to it by messages;
 * clients reach the broker through AMQP and the management API.
 */
import type { BrokerWorkerCommand, BrokerWorkerMessage } from "../broker/worker_protocol.ts";

export interface EmbeddedBroker {
  /** amqp://guest:guest@127.0.0.1:PORT (the embedded broker's own guest user). */
  amqpUrl: string;
  /** http://guest:guest@127.0.0.1:PORT */
  mgmtUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  port?: number;
  httpPort?: number;
  hostname?: string;
  /** Where it keeps durable data: absent, the state directory; "none", nowhere. */
  dataDir?: string;
}

export async function startEmbeddedBroker(
  { port = 5672, httpPort = 15672, hostname = "127.0.0.1", dataDir }: EmbeddedBrokerOptions = {},
): Promise<EmbeddedBroker> {
  const worker = new Worker(new URL("../broker/worker.ts", import.meta.url).href, {
    type: "module",
  });
  const next = () =>
    new Promise<BrokerWorkerMessage>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<BrokerWorkerMessage>) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
    });
  const send = (command: BrokerWorkerCommand) => worker.postMessage(command);
  const ready = next();
  send({ type: "start", hostname, port, httpPort, dataDir });
  let message: BrokerWorkerMessage;
  try {
    message = await ready;
  } catch (e) {
    worker.terminate();
    throw e;
  }
  if (message.type !== "ready") {
    worker.terminate();
    throw new Error(
      `embedded broker: ${message.type === "failed" ? message.error : "did not start"}`,
    );
  }
  const host = message.hostname.includes(":") ? `[${message.hostname}]` : message.hostname;
  let stopping: Promise<void> | undefined;
  return {
    amqpUrl: `amqp://guest:guest@${host}:${message.port}`,
    mgmtUrl: `http://guest:guest@${host}:${message.httpPort}`,
    stop() {
      stopping ??= (async () => {
        const stopped = next();
        send({ type: "stop" });
        // A broker that cannot close within a second is ended with its Worker.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise((r) => timer = setTimeout(r, 1000));
        await Promise.race([stopped.catch(() => {}), late]);
        clearTimeout(timer);
        worker.terminate();
      })();
      return stopping;
    },
  };
}
