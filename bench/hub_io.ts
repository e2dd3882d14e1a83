/**
 * What a hub io wait costs, without a network to blur it: the async model's
 * echo (`AsyncEcho`, the IO of each wait of a connection task) on stand-in
 * sockets whose reads and writes are promises already settled, for 1 000
 * connections. Through the hub, each round trip is one `waitFor` of the
 * connection's task; the reference runs the same echoes chained straight
 * from one round trip to the next, with no task. The ratio is the hub's
 * share of a round trip's JS work (a real one adds Deno's ops and the
 * kernel, about 10 µs here, which the sockets bench measures).
 */
import { Hub } from "../src/lab/hub.ts";
import { waitFor } from "../src/lab/effects.ts";
import { AsyncEcho, BusySampler, type EchoSocket } from "../src/lab/sockets/async_echo.ts";
import { Conn } from "../src/lab/sockets/connections.ts";
import { EventRing } from "../src/lab/sockets/event_ring.ts";

const CONNECTIONS = 1000;
const ROUND_TRIPS = 1_000_000;

/** A socket whose every read gets a 9-byte message and whose writes take it all. */
function standInSocket(): EchoSocket {
  const message = Promise.resolve(9);
  return {
    read: () => message,
    write: (view: Uint8Array) => Promise.resolve(view.length),
  };
}

function connection(id: number): Conn {
  return new Conn(id, -1, 0, 0, `127.0.0.1:${id}`);
}

/** Round trips/s with each connection a hub task waiting in `waitFor` once per round trip. */
export async function hubIoRoundTripsPerS(): Promise<number> {
  const hub = new Hub();
  const ring = new EventRing(4096);
  ring.shareClockReads();
  const busy = new BusySampler(ring);
  let left = ROUND_TRIPS;
  const tasks = [];
  const start = performance.now();
  for (let i = 1; i <= CONNECTIONS; i++) {
    const echo = new AsyncEcho(standInSocket(), connection(i), ring, busy).start;
    tasks.push(hub.spawn(`conn #${i}`, function* () {
      while (left-- > 0) yield waitFor(echo, "read");
    }, { idleWaits: true }));
  }
  await Promise.all(tasks.map((t) => t.whenFinished()));
  const ms = performance.now() - start;
  hub.close();
  return ROUND_TRIPS / (ms / 1000);
}

/** The same echoes, each starting its next round trip itself: no task, no hub. */
export async function chainedRoundTripsPerS(): Promise<number> {
  const ring = new EventRing(4096);
  ring.shareClockReads();
  const busy = new BusySampler(ring);
  let left = ROUND_TRIPS;
  let live = CONNECTIONS;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    for (let i = 1; i <= CONNECTIONS; i++) {
      const echo = new AsyncEcho(standInSocket(), connection(i), ring, busy).start;
      const failed = (error: unknown) => {
        throw error;
      };
      const next = (): void => {
        if (left-- > 0) echo(next, failed);
        else if (--live === 0) resolve();
      };
      next();
    }
  });
  return ROUND_TRIPS / ((performance.now() - start) / 1000);
}
