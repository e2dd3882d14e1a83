/**
 * The multiplexed model, as seen from the lab: opens the listening socket
 * here (so "port in use" is known at once) and an eventfd to wake the
 * server with, then hands both to a Worker of its own whose one loop waits
 * for readiness (`multiplexed_worker.ts`, `multiplexed_loop.ts`). The lab
 * reads the events from the shared ring and the connections from the shared
 * table; it stops the server through shared memory and the eventfd.
 */
import { ConnTable, newConnTable } from "./conn_table.ts";
import type { ConnectionInfo } from "./connections.ts";
import { EventRing } from "./event_ring.ts";
import { EFD_CLOEXEC, EFD_NONBLOCK, type Libc } from "./libc.ts";
import type { MultiplexedStart } from "./multiplexed_worker.ts";
import { WakeFd } from "./poller.ts";
import type { PollerName } from "./poller.ts";
import { listenTcp, SocketError } from "./raw_socket.ts";
import type { EchoServer } from "./server.ts";
import { ServerWorker } from "./server_worker.ts";

/** How long stop waits for the Worker to leave its loop before terminating it. */
const STOP_GRACE_MS = 2000;

interface Options {
  bind: string;
  port: number;
  poller: PollerName;
  ringCapacity: number;
  notice: (line: string) => void;
}

export class MultiplexedServer implements EchoServer {
  readonly model = "multiplexed" as const;
  readonly bind: string;
  readonly port: number;
  readonly poller: PollerName;
  readonly ring: EventRing;
  readonly #c: Libc;
  readonly #listenFd: number;
  readonly #wake: WakeFd;
  readonly #control = new Int32Array(new SharedArrayBuffer(4));
  readonly #table: ConnTable;
  readonly #worker: ServerWorker;
  #stopping: Promise<void> | null = null;

  private constructor(c: Libc, options: Options) {
    this.#c = c;
    this.bind = options.bind;
    this.poller = options.poller;
    this.ring = new EventRing(options.ringCapacity);
    const tableMemory = newConnTable();
    this.#table = new ConnTable(tableMemory);
    const listening = listenTcp(c, { bind: options.bind, port: options.port, nonblocking: true });
    this.port = listening.port;
    this.#listenFd = listening.fd;
    const wakeFd = c.sym.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wakeFd < 0) {
      const errno = c.errno();
      c.sym.close(listening.fd);
      throw new SocketError(`eventfd: ${c.strerror(errno)}`, errno);
    }
    this.#wake = new WakeFd(c, wakeFd);
    const start: MultiplexedStart = {
      listenFd: listening.fd,
      wakeFd,
      poller: options.poller,
      ring: this.ring.memory,
      table: tableMemory,
      control: this.#control.buffer as SharedArrayBuffer,
    };
    this.#worker = new ServerWorker(new URL("./multiplexed_worker.ts", import.meta.url), start, {
      notice: options.notice,
    });
  }

  /** Starts the Worker; resolves once its loop is waiting for readiness. */
  static async start(c: Libc, options: Options): Promise<MultiplexedServer> {
    const server = new MultiplexedServer(c, options);
    const error = await server.#worker.ready;
    if (error !== null) {
      await server.stop();
      throw new Error(error);
    }
    return server;
  }

  connections(max?: number): ConnectionInfo[] {
    return this.#table.list(max);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    Atomics.store(this.#control, 0, 1);
    this.#wake.wake();
    await this.#worker.stopped(STOP_GRACE_MS);
    // the Worker has left its loop (or was terminated): these fds are ours to close
    this.#c.sym.close(this.#listenFd);
    this.#c.sym.close(this.#wake.fd);
  }
}
