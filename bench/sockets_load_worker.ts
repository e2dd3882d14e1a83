/**
 * The sockets bench's load, on a Worker of its own: closed-loop clients
 * (hub tasks, as in the lab) that keep a whole thread to themselves, so the
 * server measured gets the main thread to itself, the same for every model
 * and for the reference.
 */
/// <reference lib="deno.worker" />
import { Hub } from "../src/lab/hub.ts";
import { type LoadStats, startLoad } from "../src/lab/sockets/load_client.ts";

export interface LoadRequest {
  port: number;
  connections: number;
  durationMs: number;
}

self.onmessage = async (e: MessageEvent<LoadRequest>) => {
  const hub = new Hub();
  const load = startLoad(hub, { ...e.data, rounds: 0 });
  const stats: LoadStats = await load.done();
  hub.close();
  self.postMessage(stats);
};
