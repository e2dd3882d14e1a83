/**
 * The lab service's sockets part: the echo servers, the load and the
 * comparison started from the Sockets panel, and the bounded sockets part of
 * each snapshot. `lab_service.ts` delegates the sockets commands here.
 */
import type { Hub } from "./hub.ts";
import type {
  CompareStatus,
  LoadStatus,
  SocketEventRow,
  SocketServerRow,
  SocketsSnapshot,
  SocketsViewRequest,
} from "./sockets_protocol.ts";
import {
  compareModels,
  DEFAULT_PORT,
  type EchoServer,
  formatEvent,
  KIND_NAMES,
  type LoadRun,
  loadSummaryLine,
  MODELS,
  RateMeter,
  type ServerRates,
  ServerStartError,
  startEchoServer,
  startLoad,
} from "./sockets/mod.ts";

/** Events per snapshot: a page or two of the stream; the rest is counted as dropped. */
export const EVENTS_PER_SNAPSHOT = 200;
/** Seconds of per-second counts sent (the ring keeps 64). */
export const SECONDS_SENT = 60;
const MAX_CONNECTION_ROWS = 200;
/** How long a load from the panel runs before it stops by itself. */
export const LOAD_DURATION_MS = 10_000;
const HISTOGRAM_BUCKETS = 40;

export const DEFAULT_SOCKETS_VIEW: SocketsViewRequest = {
  server: null,
  kinds: [],
  conn: null,
  offset: 0,
  limit: 20,
};

interface Running {
  name: string;
  server: EchoServer;
  meter: RateMeter;
  rates: ServerRates;
}

export class SocketsService {
  #hub: Hub;
  #servers: Running[] = [];
  #view: SocketsViewRequest = DEFAULT_SOCKETS_VIEW;
  /** Next event seq to send, per server name. */
  #cursor = new Map<string, number>();
  #load: { run: LoadRun; port: number } | null = null;
  #compare: CompareStatus | null = null;
  #compareStop = false;
  /** True once anything was started: until then snapshots carry no sockets part. */
  #used = false;

  constructor(hub: Hub) {
    this.#hub = hub;
  }

  async serve(model: string, port?: number): Promise<string> {
    if (!(MODELS as readonly string[]).includes(model)) {
      throw new Error(`no model '${model}' (models: ${MODELS.join(", ")})`);
    }
    const m = model as typeof MODELS[number];
    let server: EchoServer;
    try {
      server = await startEchoServer(this.#hub, { model: m, port: port ?? DEFAULT_PORT });
    } catch (error) {
      // No port asked for: 8001 is only the lesson's habit, any free port will do.
      if (port !== undefined || !(error instanceof ServerStartError)) throw error;
      if (!error.message.includes("in use")) throw error;
      server = await startEchoServer(this.#hub, { model: m, port: 0 });
    }
    const name = `${server.model}:${server.port}`;
    const meter = new RateMeter(server);
    this.#servers.push({ name, server, meter, rates: meter.sample() });
    this.#cursor.set(name, server.ring.recorded);
    this.#used = true;
    // A new server comes into view.
    this.#view = { ...this.#view, server: null, conn: null, offset: 0 };
    const poller = server.poller ? ` (${server.poller})` : "";
    return `serving ${server.model}${poller} on 127.0.0.1:${server.port}`;
  }

  load(connections: number, size?: number, ratePerS?: number): string {
    const shown = this.#shown();
    if (shown === null) throw new Error("no server running: :serve MODEL first");
    if (this.#load !== null && !this.#load.run.stats().done) {
      throw new Error("a load is running: :stop load first");
    }
    const run = startLoad(this.#hub, {
      port: shown.server.port,
      connections,
      rounds: 0,
      durationMs: LOAD_DURATION_MS,
      size,
      ratePerS,
      // the server's sockets are this process's too
      fdsPerConnection: 2,
    });
    this.#load = { run, port: shown.server.port };
    return `${connections} connections against ${shown.name} for ${LOAD_DURATION_MS / 1000} s`;
  }

  compare(connections: number): string {
    if (this.#compare?.state === "running") throw new Error("a comparison is running");
    const status: CompareStatus = { state: "running", connections, rows: [], error: null };
    this.#compare = status;
    this.#compareStop = false;
    this.#used = true;
    compareModels(this.#hub, { connections }, (row) => {
      if (this.#compare === status) status.rows.push({ ...row });
    }).then(
      () => {
        if (status.state === "running") status.state = "done";
      },
      (error) => {
        status.state = "failed";
        status.error = String(error?.message ?? error);
      },
    );
    // the reply stays on the status line: it must read true once the comparison is done too
    return `comparison started: the ${MODELS.length} models in turn, ` +
      `${connections} connections each`;
  }

  /** Stops what `name` names (a server, `load`, `compare`), or everything. */
  async stop(name?: string): Promise<string> {
    if (name === undefined || name === "" || name === "all") {
      const servers = this.#servers.splice(0);
      const load = this.#stopLoad();
      await Promise.all(servers.map((s) => s.server.stop()));
      if (servers.length === 0 && !load) return "nothing to stop: no server or load running";
      const parts = [
        ...(servers.length > 0
          ? [`${servers.length} server${servers.length === 1 ? "" : "s"}`]
          : []),
        ...(load ? ["the load"] : []),
      ];
      return `stopped ${parts.join(" and ")}: every socket closed`;
    }
    if (name === "load") {
      if (!this.#stopLoad()) throw new Error("no load running");
      return "stopped the load";
    }
    if (name === "compare") {
      // The comparison stops its own servers; it cannot be cut short between models.
      throw new Error("a comparison stops by itself after each model's short run");
    }
    const found = this.#servers.filter((s) =>
      s.name === name || s.server.model === name || String(s.server.port) === name
    );
    if (found.length === 0) {
      const names = this.#servers.map((s) => s.name);
      throw new Error(
        `no server '${name}'${names.length ? ` (running: ${names.join(", ")})` : ""}`,
      );
    }
    if (found.length > 1) {
      throw new Error(`'${name}' names ${found.length} servers: ${found.map((s) => s.name)}`);
    }
    const running = found[0]!;
    this.#servers = this.#servers.filter((s) => s !== running);
    if (this.#load?.port === running.server.port) this.#stopLoad();
    await running.server.stop();
    return `stopped ${running.name}`;
  }

  #stopLoad(): boolean {
    const load = this.#load;
    if (load === null || load.run.stats().done) return false;
    load.run.stop();
    return true;
  }

  setView(view: Partial<SocketsViewRequest>): string {
    const next = { ...this.#view, ...view };
    next.limit = Math.max(0, Math.min(MAX_CONNECTION_ROWS, Math.floor(next.limit)));
    next.offset = Math.max(0, Math.floor(next.offset));
    this.#view = next;
    return "sockets view updated";
  }

  /** Stops everything (the lab is shutting down). */
  async close(): Promise<void> {
    await this.stop();
  }

  #shown(): Running | null {
    const wanted = this.#view.server;
    return this.#servers.find((s) => s.name === wanted) ?? this.#servers.at(-1) ?? null;
  }

  /** A fingerprint of what changed, so an idle lab posts nothing new. */
  fingerprint(): string {
    if (!this.#used) return "";
    const servers = this.#servers.map((s) => s.server.ring.recorded).join(",");
    const load = this.#load?.run.stats();
    return `${servers}/${load?.roundTrips}/${load?.done}/${this.#compare?.rows.length}/${this.#compare?.state}`;
  }

  /** The sockets part of a snapshot; consumes the events it carries. */
  snapshot(): SocketsSnapshot | undefined {
    if (!this.#used) return undefined;
    const shown = this.#shown();
    const view = this.#view;
    const all = shown?.server.connections(view.offset + view.limit) ?? [];
    return {
      view,
      servers: this.#servers.map((s) => this.#serverRow(s)),
      shown: shown?.name ?? null,
      connections: {
        total: shown?.server.ring.open ?? 0,
        offset: view.offset,
        rows: all.slice(view.offset).map((c) => ({ ...c, lastEvent: kindName(c.lastEvent) })),
      },
      events: shown ? this.#events(shown) : { rows: [], dropped: 0 },
      perSecond: { kinds: KIND_NAMES, seconds: shown ? perSecond(shown.server) : [] },
      load: this.#loadStatus(),
      compare: this.#compare === null ? null : { ...this.#compare, rows: [...this.#compare.rows] },
    };
  }

  #serverRow(s: Running): SocketServerRow {
    const rates = s.meter.sample();
    s.rates = rates;
    return {
      name: s.name,
      model: s.server.model,
      port: s.server.port,
      poller: s.server.poller,
      ...rates,
      events: s.server.ring.recorded,
    };
  }

  #events(s: Running): { rows: SocketEventRow[]; dropped: number } {
    const ring = s.server.ring;
    const from = this.#cursor.get(s.name) ?? 0;
    const end = ring.recorded;
    this.#cursor.set(s.name, end);
    const kinds = this.#view.kinds;
    const conn = this.#view.conn;
    // unfiltered, only the newest events are sent: read no more (a busy server
    // fills the whole ring between two snapshots)
    const unfiltered = kinds.length === 0 && conn === null;
    const events = ring.since(from, unfiltered ? EVENTS_PER_SNAPSHOT : ring.capacity);
    const matching = unfiltered
      ? events
      : events.filter((e) =>
        (kinds.length === 0 || kinds.includes(kindName(e.kind))) &&
        (conn === null || e.conn === conn)
      );
    const rows = matching.slice(-EVENTS_PER_SNAPSHOT).map((e) => ({
      seq: e.seq,
      kind: kindName(e.kind),
      conn: e.conn,
      text: formatEvent(e),
    }));
    // what was not read (overwritten, or older than the newest page), and what did not fit
    const overrun = end - from - events.length;
    return { rows, dropped: overrun + matching.length - rows.length };
  }

  #loadStatus(): LoadStatus | null {
    if (this.#load === null) return null;
    const { run, port } = this.#load;
    const s = run.stats();
    return {
      port,
      state: s.done ? "done" : "running",
      summary: loadSummaryLine(s),
      connections: s.connections,
      connected: s.connected,
      open: s.open,
      roundTripsPerS: s.roundTripsPerS,
      p50Ms: s.latency.p50,
      p99Ms: s.latency.p99,
      histogram: run.latency.buckets().slice(-HISTOGRAM_BUCKETS),
    };
  }
}

function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `kind ${kind}`;
}

/** The last SECONDS_SENT seconds' exact counts by kind, oldest first. */
function perSecond(server: EchoServer): number[][] {
  const now = Math.floor(Date.now() / 1000);
  const out: number[][] = [];
  for (let s = now - SECONDS_SENT + 1; s <= now; s++) out.push(server.ring.second(s).kinds);
  return out;
}
