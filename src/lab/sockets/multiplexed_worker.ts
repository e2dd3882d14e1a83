/**
 * The multiplexed model's own Worker: the selectors loop
 * (`multiplexed_loop.ts`) blocks this thread in `epoll_wait` (or `select`)
 * until the kernel says a socket is ready, as the lesson's server does, so a
 * readiness reaches its handler with no hop through another thread, and the
 * lab's thread (snapshots, the dashboard, loads) never delays it.
 *
 * The listening socket and the wake eventfd are the lab side's
 * (`multiplexed.ts`): it closes them once this Worker has stopped.
 */
/// <reference lib="deno.worker" />
import { ConnTable } from "./conn_table.ts";
import { EpollPoller } from "./epoll_poller.ts";
import { EventRing, type RingMemory } from "./event_ring.ts";
import { libc } from "./libc.ts";
import { MultiplexedLoop } from "./multiplexed_loop.ts";
import type { Poller, PollerName } from "./poller.ts";
import { SelectPoller } from "./select_poller.ts";
import type { ServerWorkerReport } from "./server_worker.ts";
import { errorMessage } from "../../util/error_message.ts";

export interface MultiplexedStart {
  listenFd: number;
  wakeFd: number;
  poller: PollerName;
  ring: RingMemory;
  table: SharedArrayBuffer;
  /** Int32 slot 0: 1 once the lab asks the server to stop. */
  control: SharedArrayBuffer;
}

const post = (report: ServerWorkerReport) => self.postMessage(report);

self.onmessage = (e: MessageEvent<MultiplexedStart>) => {
  const start = e.data;
  const c = libc();
  let poller: Poller;
  let loop: MultiplexedLoop;
  try {
    poller = start.poller === "select"
      ? new SelectPoller(c, start.wakeFd)
      : new EpollPoller(c, start.wakeFd);
  } catch (error) {
    post({ type: "failed", message: errorMessage(error) });
    return;
  }
  const control = new Int32Array(start.control);
  try {
    loop = new MultiplexedLoop(c, {
      listenFd: start.listenFd,
      poller,
      ring: new EventRing(start.ring),
      table: new ConnTable(start.table),
      stopping: () => Atomics.load(control, 0) !== 0,
      notice: (line) => post({ type: "notice", line }),
    });
  } catch (error) {
    poller.close();
    post({ type: "failed", message: errorMessage(error) });
    return;
  }
  post({ type: "ready" });
  loop.run();
  poller.close();
  post({ type: "stopped" });
};
