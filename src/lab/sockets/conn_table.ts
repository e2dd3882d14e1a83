/**
 * The live connections of a server that runs on a Worker of its own (the
 * multiplexed model), as the lab reads them: the Worker publishes its
 * connection records into shared memory now and then (`publish`), and the
 * lab lists them from there (`list`) without asking the Worker anything.
 *
 * A version counter guards each publication (odd while it is written), so a
 * reader never takes half of one publication and half of the next.
 */
import type { Conn, ConnectionInfo } from "./connections.ts";
import { formatPeer } from "./raw_socket.ts";

/** Rows kept: every connection a load can open, and a little more. */
export const TABLE_ROWS = 10_240;
// per row, as float64: id, fd, peer ip, peer port, state, bytes in, bytes out, last event
const F_ID = 0;
const F_FD = 1;
const F_IP = 2;
const F_PORT = 3;
const F_STATE = 4;
const F_IN = 5;
const F_OUT = 6;
const F_LAST = 7;
const FIELDS = 8;
// header, as int32: version, row count
const H_VERSION = 0;
const H_COUNT = 1;
const HEADER_BYTES = 8;

const STATES = ["open", "writing", "closed"];
const stateCode = (state: string): number => Math.max(0, STATES.indexOf(state));

export function newConnTable(rows = TABLE_ROWS): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + rows * FIELDS * 8);
}

export class ConnTable {
  readonly #header: Int32Array;
  readonly #rows: Float64Array;
  readonly #capacity: number;

  constructor(memory: SharedArrayBuffer) {
    this.#header = new Int32Array(memory, 0, 2);
    this.#rows = new Float64Array(memory, HEADER_BYTES);
    this.#capacity = this.#rows.length / FIELDS;
  }

  /** The writer: the first rows' worth of `conns`, oldest first. */
  publish(conns: Iterable<Conn>): void {
    const h = this.#header;
    const r = this.#rows;
    Atomics.add(h, H_VERSION, 1); // odd: being written
    let n = 0;
    for (const c of conns) {
      if (n >= this.#capacity) break;
      const o = n * FIELDS;
      r[o + F_ID] = c.id;
      r[o + F_FD] = c.fd;
      r[o + F_IP] = c.peerIp;
      r[o + F_PORT] = c.peerPort;
      r[o + F_STATE] = stateCode(c.state);
      r[o + F_IN] = c.bytesIn;
      r[o + F_OUT] = c.bytesOut;
      r[o + F_LAST] = c.lastEvent;
      n++;
    }
    Atomics.store(h, H_COUNT, n);
    Atomics.add(h, H_VERSION, 1); // even: whole again
  }

  /** A reader: the first `max` connections of the last whole publication. */
  list(max = Infinity): ConnectionInfo[] {
    const h = this.#header;
    let out: ConnectionInfo[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const before = Atomics.load(h, H_VERSION);
      out = this.#read(Math.min(max, Atomics.load(h, H_COUNT)));
      if ((before & 1) === 0 && Atomics.load(h, H_VERSION) === before) break;
    }
    return out;
  }

  #read(n: number): ConnectionInfo[] {
    const r = this.#rows;
    const out: ConnectionInfo[] = [];
    for (let i = 0; i < n; i++) {
      const o = i * FIELDS;
      out.push({
        id: r[o + F_ID]!,
        fd: r[o + F_FD]!,
        peer: formatPeer(r[o + F_IP]!, r[o + F_PORT]!),
        state: STATES[r[o + F_STATE]!] ?? "open",
        bytesIn: r[o + F_IN]!,
        bytesOut: r[o + F_OUT]!,
        lastEvent: r[o + F_LAST]!,
        taskId: 0,
      });
    }
    return out;
  }
}
