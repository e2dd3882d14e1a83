/**
 * The hub's tasks by identity: the live ones in spawn order (a list linked
 * through the tasks themselves, so spawning allocates no node) and a ring of
 * the most recently finished ones, kept for the task table and the detail
 * view. A task leaves the live list when it finishes and the ring when
 * `keepFinished` newer ones have finished after it.
 */
import type { Task } from "./task.ts";

export class TaskRegistry {
  #head: Task | null = null;
  #tail: Task | null = null;
  #live = 0;
  readonly #keepFinished: number;
  #finished: (Task | undefined)[];
  #finPos = 0;

  constructor(keepFinished: number) {
    this.#keepFinished = Math.max(1, keepFinished);
    this.#finished = new Array(this.#keepFinished);
  }

  /** Live tasks. */
  get live(): number {
    return this.#live;
  }

  /** The oldest live task; the others follow through `_next`. */
  get first(): Task | null {
    return this.#head;
  }

  /** Adds a new task at the end of the live list. */
  add(t: Task): void {
    if (this.#tail === null) this.#head = t;
    else {
      this.#tail._next = t;
      t._prev = this.#tail;
    }
    this.#tail = t;
    this.#live++;
  }

  /**
   * Moves a finished task from the live list to the finished ring. Returns the
   * task it pushes out of the ring (its history can go), if any.
   */
  retire(t: Task): Task | undefined {
    if (t._prev === null) this.#head = t._next;
    else t._prev._next = t._next;
    if (t._next === null) this.#tail = t._prev;
    else t._next._prev = t._prev;
    t._prev = null;
    t._next = null;
    this.#live--;
    const old = this.#finished[this.#finPos];
    this.#finished[this.#finPos] = t;
    this.#finPos = (this.#finPos + 1) % this.#keepFinished;
    return old;
  }

  /** Calls `fn` for each live task in spawn order. */
  forEachLive(fn: (t: Task) => void): void {
    for (let t = this.#head; t !== null; t = t._next) fn(t);
  }

  /** The most recently finished tasks, oldest first. */
  recentFinished(): Task[] {
    const out: Task[] = [];
    const n = this.#keepFinished;
    for (let i = 0; i < n; i++) {
      const t = this.#finished[(this.#finPos + i) % n];
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  /**
   * Empties the finished ring (a person cleared the table before a new demo)
   * and returns the tasks it held, so their history slots can go back.
   */
  clearFinished(): Task[] {
    const forgotten = this.recentFinished();
    this.#finished.fill(undefined);
    this.#finPos = 0;
    return forgotten;
  }

  /** A live or recently finished task by id. */
  find(id: number): Task | undefined {
    for (let t = this.#head; t !== null; t = t._next) if (t.id === id) return t;
    return this.#finished.find((t) => t?.id === id);
  }
}
