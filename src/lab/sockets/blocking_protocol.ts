/**
 * What the blocking server and its Worker share: the start message and the
 * layout of the control memory. The Worker spends its life inside blocking
 * calls, so it cannot read messages: the stop request and the current
 * connection travel through shared memory instead.
 */
import type { RingMemory } from "./event_ring.ts";

export interface BlockingStart {
  listenFd: number;
  ring: RingMemory;
  control: SharedArrayBuffer;
}

// Int32 slots of the control memory
export const C_STOP = 0;
export const C_CONN_ID = 1;
export const C_FD = 2;
export const C_PEER_IP = 3;
export const C_PEER_PORT = 4;
export const C_LAST_EVENT = 5;
/** 1 while a connection is being served. */
export const C_SERVING = 6;
const INT_SLOTS = 8;
// Float64 slots after them
export const C_BYTES_IN = 0;
export const C_BYTES_OUT = 1;
const FLOAT_SLOTS = 2;

/** How often a blocked call gives up waiting to look at the stop flag (SO_RCVTIMEO). */
export const STOP_CHECK_MS = 50;

export interface ControlViews {
  ints: Int32Array;
  floats: Float64Array;
}

export function newControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(INT_SLOTS * 4 + FLOAT_SLOTS * 8);
}

export function controlViews(control: SharedArrayBuffer): ControlViews {
  return {
    ints: new Int32Array(control, 0, INT_SLOTS),
    floats: new Float64Array(control, INT_SLOTS * 4, FLOAT_SLOTS),
  };
}
