/**
 * The sockets lab's public surface, for the lab service (the Sockets panel's
 * commands): start and stop echo servers, read their events, counters and
 * connections, run loads and comparisons. Everything else in this folder is
 * how the models work.
 */
export { startEchoServer } from "./start_server.ts";
export {
  DEFAULT_BIND,
  DEFAULT_PORT,
  type EchoServer,
  type EchoServerOptions,
  FFI_MODELS,
  type ModelName,
  MODELS,
  ServerStartError,
} from "./server.ts";
export { type PollerName, POLLERS } from "./poller.ts";
export { ffiUnavailable } from "./libc.ts";
export type { ConnectionInfo } from "./connections.ts";
export {
  EventRing,
  formatEvent,
  KIND_COUNT,
  KIND_NAMES,
  type SecondCounts,
  type SocketEvent,
} from "./event_ring.ts";
export {
  formatBytesPerS,
  loadSummaryLine,
  RateMeter,
  type ServerRates,
  summaryLine,
} from "./summary.ts";
export {
  DEFAULT_CONNECTIONS,
  LoadError,
  type LoadOptions,
  LoadRun,
  type LoadStats,
  MAX_CONNECTIONS,
  startLoad,
} from "./load_client.ts";
export type { LatencyHistogram, LatencySummary } from "./latency.ts";
export { compareModels, type CompareOptions, type CompareRow } from "./compare.ts";
