/**
 * The blocking model, as seen from the lab: opens the listening socket here
 * (so "port in use" is known at once), hands it to a Worker of its own that
 * blocks in accept/recv (`blocking_worker.ts`), and stops it through shared
 * memory.
 */
import {
  type BlockingStart,
  C_BYTES_IN,
  C_BYTES_OUT,
  C_CONN_ID,
  C_FD,
  C_LAST_EVENT,
  C_PEER_IP,
  C_PEER_PORT,
  C_SERVING,
  C_STOP,
  type ControlViews,
  controlViews,
  newControl,
  STOP_CHECK_MS,
} from "./blocking_protocol.ts";
import type { ConnectionInfo } from "./connections.ts";
import { EventRing } from "./event_ring.ts";
import type { Libc } from "./libc.ts";
import { formatPeer, listenTcp } from "./raw_socket.ts";
import type { EchoServer } from "./server.ts";
import { ServerWorker } from "./server_worker.ts";
import { setTimeouts } from "./socket_timeouts.ts";

/** How long stop waits for the Worker to leave its blocked call before terminating it. */
const STOP_GRACE_MS = 2000;

export class BlockingServer implements EchoServer {
  readonly model = "blocking" as const;
  readonly bind: string;
  readonly port: number;
  readonly poller = null;
  readonly ring: EventRing;
  readonly #c: Libc;
  readonly #listenFd: number;
  readonly #control = newControl();
  readonly #ctl: ControlViews;
  readonly #worker: ServerWorker;
  #stopping: Promise<void> | null = null;

  private constructor(
    c: Libc,
    options: { bind: string; port: number; ringCapacity: number; notice: (line: string) => void },
  ) {
    this.#c = c;
    this.bind = options.bind;
    this.ring = new EventRing(options.ringCapacity);
    this.#ctl = controlViews(this.#control);
    const listening = listenTcp(c, { bind: options.bind, port: options.port, nonblocking: false });
    this.port = listening.port;
    this.#listenFd = listening.fd;
    setTimeouts(c, listening.fd, STOP_CHECK_MS); // accept gives up every so often to check stop
    const start: BlockingStart = {
      listenFd: listening.fd,
      ring: this.ring.memory,
      control: this.#control,
    };
    this.#worker = new ServerWorker(new URL("./blocking_worker.ts", import.meta.url), start, {
      notice: options.notice,
      onFailed: (message) => options.notice(`blocking server stopped: ${message}`),
    });
  }

  /** Starts the Worker; resolves once it is in its accept loop. */
  static async start(
    c: Libc,
    options: { bind: string; port: number; ringCapacity: number; notice: (line: string) => void },
  ): Promise<BlockingServer> {
    const server = new BlockingServer(c, options);
    const error = await server.#worker.ready;
    if (error !== null) {
      await server.stop();
      throw new Error(`blocking server: ${error}`);
    }
    return server;
  }

  connections(): ConnectionInfo[] {
    const { ints, floats } = this.#ctl;
    if (Atomics.load(ints, C_SERVING) === 0) return [];
    return [{
      id: ints[C_CONN_ID]!,
      fd: ints[C_FD]!,
      peer: formatPeer(ints[C_PEER_IP]! >>> 0, ints[C_PEER_PORT]!),
      state: "open",
      bytesIn: floats[C_BYTES_IN]!,
      bytesOut: floats[C_BYTES_OUT]!,
      lastEvent: ints[C_LAST_EVENT]!,
      taskId: 0,
    }];
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    Atomics.store(this.#ctl.ints, C_STOP, 1);
    Atomics.notify(this.#ctl.ints, C_STOP);
    await this.#worker.stopped(STOP_GRACE_MS);
    // the Worker has left accept (or was terminated): the listening socket is ours to close
    this.#c.sym.close(this.#listenFd);
  }
}
