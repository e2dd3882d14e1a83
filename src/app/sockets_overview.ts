/**
 * The Overview's sockets lines: one per running echo server and one for the
 * load (and a running or finished comparison), from the latest snapshot.
 */
import type { SocketsSnapshot } from "../lab/protocol.ts";
import { formatCount } from "./coroutines.ts";
import { formatBytes } from "./sockets_view.ts";

export function socketsOverview(part: SocketsSnapshot | undefined): string[] {
  const servers = part?.servers ?? [];
  const lines = servers.map((s) =>
    `${s.name}${s.poller ? ` (${s.poller})` : ""}  ${formatCount(s.open)} connections  ` +
    `${formatCount(s.roundTripsPerS)} rt/s  ${formatBytes(s.bytesPerS)}` +
    (s.model === "blocking" ? "" : `  CPU ${Math.round(s.busy * 100)}%`)
  );
  const load = part?.load;
  if (load) {
    lines.push(
      `load ${load.state === "done" ? "done" : "running"} on :${load.port}: ${load.summary}`,
    );
  }
  const compare = part?.compare;
  if (compare?.state === "running") {
    lines.push(`comparing the models: ${compare.rows.length} of 4 done`);
  }
  if (lines.length === 0) {
    lines.push("no echo server (:serve MODEL starts one, :load N loads it)");
  }
  return lines;
}
