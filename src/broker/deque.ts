/**
 * A growable ring buffer: O(1) push/shift/unshift at both ends, used for a
 * queue's ready list (arrays with shift() are O(n) once they get large). It
 * shrinks as it empties, so a queue that held millions of messages does not
 * keep millions of empty slots once drained.
 */
const MIN_CAPACITY = 16;

export class Deque<T> {
  #buf: (T | undefined)[] = new Array(MIN_CAPACITY);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Slots allocated (tests: the deque gives them back). */
  get capacity(): number {
    return this.#buf.length;
  }

  push(v: T): void {
    if (this.#length === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#buf[(this.#head + this.#length) % this.#buf.length] = v;
    this.#length++;
  }

  unshift(v: T): void {
    if (this.#length === this.#buf.length) this.#resize(this.#buf.length * 2);
    this.#head = (this.#head - 1 + this.#buf.length) % this.#buf.length;
    this.#buf[this.#head] = v;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const v = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#buf.length;
    this.#length--;
    // A quarter full: half the slots go (amortized O(1), no flapping at the edge).
    if (this.#buf.length > MIN_CAPACITY && this.#length <= this.#buf.length / 4) {
      this.#resize(this.#buf.length / 2);
    }
    return v;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#buf[this.#head];
  }

  /** The i-th element from the front. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.#length) return undefined;
    return this.#buf[(this.#head + i) % this.#buf.length];
  }

  /**
   * Puts `list` (sorted by `key`) back among the elements (sorted by `key`
   * too), each at its place: a requeue puts messages back where they were.
   */
  mergeSorted(list: readonly T[], key: (v: T) => number): void {
    if (list.length === 0) return;
    const head = this.peek();
    if (head === undefined || key(list[list.length - 1]!) < key(head)) {
      for (let i = list.length - 1; i >= 0; i--) this.unshift(list[i]!);
      return;
    }
    const merged: T[] = [];
    let i = 0;
    for (const v of this) {
      while (i < list.length && key(list[i]!) < key(v)) merged.push(list[i++]!);
      merged.push(v);
    }
    while (i < list.length) merged.push(list[i++]!);
    this.clear();
    for (const v of merged) this.push(v);
  }

  clear(): void {
    this.#buf = new Array(MIN_CAPACITY);
    this.#head = 0;
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.#buf[(this.#head + i) % this.#buf.length]!;
  }

  #resize(capacity: number): void {
    const next: (T | undefined)[] = new Array(capacity);
    for (let i = 0; i < this.#length; i++) next[i] = this.#buf[(this.#head + i) % this.#buf.length];
    this.#buf = next;
    this.#head = 0;
  }
}
