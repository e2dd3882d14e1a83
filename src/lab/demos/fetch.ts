/**
 * The lesson's concurrent page fetch, against a local HTTP server the demo
 * starts itself (per-page delays, one page failing), so no internet is
 * needed: pages fetched one after the other, then all at once.
 *
 * Under a virtual clock the server's delays are hub timers, and the demo
 * holds the clock while a request or its response is on the wire, so the
 * printed totals are exact there too (see `Hub.hold`).
 */
import { type Effect, joinAll, wait } from "../effects.ts";
import type { Hub } from "../hub.ts";
import { type Demo, secs } from "./demo.ts";
import { errorMessage } from "../../util/error_message.ts";

export interface Page {
  path: string;
  delayMs: number;
  bytes: number;
  /** An HTTP error status this page answers with. */
  status?: number;
}

export const PAGES: readonly Page[] = [
  { path: "/www.python.org/", delayMs: 300, bytes: 50_112 },
  { path: "/www.yahoo.com/", delayMs: 500, bytes: 91_204 },
  { path: "/github.com/", delayMs: 200, bytes: 30_777 },
  { path: "/broken.example/", delayMs: 100, bytes: 0, status: 500 },
];

const REQUEST_HEADER = "x-warren-request";

/** Travel holds of requests in flight, by request id (see the module comment). */
type Inflight = Map<string, () => void>;

function startServer(hub: Hub, inflight: Inflight): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const id = req.headers.get(REQUEST_HEADER) ?? "";
    inflight.get(id)?.(); // the request arrived; now the hub timer below keeps time
    const page = PAGES.find((p) => p.path === new URL(req.url).pathname);
    const release = await hub.delay(page?.delayMs ?? 0, { holdOnFire: true });
    inflight.set(id, release); // held until the client task has read the answer
    if (page === undefined) return new Response("not found\n", { status: 404 });
    if (page.status !== undefined) {
      return new Response("server error\n", {
        status: page.status,
        statusText: "Internal Server Error",
      });
    }
    return new Response(new Uint8Array(page.bytes).fill(120));
  });
}

async function download(url: string, id: string): Promise<number> {
  const res = await fetch(url, { headers: { [REQUEST_HEADER]: id } });
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP Error ${res.status}: ${res.statusText}`);
  return body.byteLength;
}

export const fetchDemo: Demo = {
  name: "fetch",
  description: "fetch pages from a local server one by one, then concurrently (one page fails)",
  *main({ hub, print }) {
    const inflight: Inflight = new Map();
    const server = startServer(hub, inflight);
    const base = `http://127.0.0.1:${server.addr.port}`;
    let nextId = 0;
    function* get(path: string): Generator<Effect | undefined, void, unknown> {
      const id = String(++nextId);
      inflight.set(id, hub.hold());
      print(`GET: ${path}`);
      try {
        const bytes = yield wait(download(base + path, id), `GET ${path}`, { holdClock: false });
        print(`${bytes} bytes received from ${path}.`);
      } catch (error) {
        print(`error from ${path}: ${errorMessage(error)}`);
      } finally {
        inflight.get(id)?.();
        inflight.delete(id);
      }
    }
    try {
      print(`local server ${base} (delays ${PAGES.map((p) => p.delayMs).join("/")} ms)`);
      print("Sequential:");
      const seqStart = hub.now();
      for (const page of PAGES) yield* get(page.path);
      const seqMs = hub.now() - seqStart;
      print(`sequential cost ${secs(seqMs)}`);

      print("Concurrent:");
      const conStart = hub.now();
      yield joinAll(PAGES.map((page) => hub.spawn(`get ${page.path}`, () => get(page.path))));
      print(`concurrent cost ${secs(hub.now() - conStart)}`);
    } finally {
      for (const release of inflight.values()) release();
      yield wait(server.shutdown(), "server shutdown");
    }
  },
};
