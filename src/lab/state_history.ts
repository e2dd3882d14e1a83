/**
 * Each task's recent state changes: the last RING (time, state) pairs per
 * task, all tasks' rings in one slab of typed arrays (a slot of RING entries
 * per task), so recording a change on the switch path allocates nothing. The
 * io label of a `waiting(io:label)` entry is kept beside it. A task's slot
 * is given back when the hub forgets the task; its history goes with it.
 *
 * The hub writes through `record()` on every state change; the timeline
 * lanes and the detail view read `events()`, `eventsSince()` and
 * `eventCount()`.
 */
import { describeState, S_IO, type Task } from "./task.ts";

/** Recent state changes kept per task (a power of two). */
export const RING = 16;
const RING_MASK = RING - 1;

/** One entry of a task's recent state changes. */
export interface TaskEvent {
  atMs: number;
  /** State code (see task.ts). */
  code: number;
  /** `waiting(io:label)` style text. */
  text: string;
}

export class StateHistory {
  #times = new Float64Array(RING * 256);
  #codes = new Uint8Array(RING * 256);
  // filled as the slab grows: a store far past the end of a JS array would
  // turn it into a dictionary, a hash insert per io wait
  #labels: string[] = new Array<string>(RING * 256).fill("");
  #slotCap = 256;
  #slotNext = 0;
  #freeSlots: number[] = [];

  /** A slot for a new task (a free one, else a new one, growing the slab). */
  allocSlot(): number {
    const free = this.#freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.#slotNext++;
    if (slot >= this.#slotCap) {
      const cap = this.#slotCap * 2;
      const times = new Float64Array(cap * RING);
      times.set(this.#times);
      const codes = new Uint8Array(cap * RING);
      codes.set(this.#codes);
      this.#times = times;
      this.#codes = codes;
      for (let i = this.#labels.length; i < cap * RING; i++) this.#labels.push("");
      this.#slotCap = cap;
    }
    return slot;
  }

  /** Gives a forgotten task's slot back; its history is gone with it. */
  release(t: Task): void {
    this.#freeSlots.push(t._slot);
    t._slot = -1;
  }

  /** Records that `t` entered state `code` at hub time `now`. */
  record(t: Task, code: number, now: number): void {
    const i = t._slot * RING + (t._rpos++ & RING_MASK);
    this.#times[i] = now;
    this.#codes[i] = code;
  }

  /** Labels the change just recorded (the io label of `waiting(io:label)`). */
  labelLast(t: Task, label: string): void {
    this.#labels[t._slot * RING + ((t._rpos - 1) & RING_MASK)] = label;
  }

  /**
   * A task's recent state changes, oldest first (at most RING); empty for a
   * task that finished so long ago it is no longer kept.
   */
  events(t: Task): TaskEvent[] {
    const out: TaskEvent[] = [];
    if (t._slot < 0) return out;
    const n = Math.min(t._rpos, RING);
    const base = t._slot * RING;
    for (let k = t._rpos - n; k < t._rpos; k++) {
      const i = base + (k & RING_MASK);
      const code = this.#codes[i]!;
      out.push({
        atMs: this.#times[i]!,
        code,
        text: describeState(code, code === S_IO ? this.#labels[i]! : ""),
      });
    }
    return out;
  }

  /** How many of the task's kept state changes happened at or after `sinceMs` (no allocation). */
  eventsSince(t: Task, sinceMs: number): number {
    if (t._slot < 0) return 0;
    const n = Math.min(t._rpos, RING);
    const base = t._slot * RING;
    let count = 0;
    for (let k = t._rpos - 1; k >= t._rpos - n; k--) {
      if (this.#times[base + (k & RING_MASK)]! < sinceMs) break;
      count++;
    }
    return count;
  }

  /** How many state changes the task has had in total (the ring keeps the last RING). */
  eventCount(t: Task): number {
    return t._rpos;
  }
}
