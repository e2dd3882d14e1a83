/**
 * Binary min-heap of timers ordered by deadline, then by sequence number so
 * timers due at the same time fire in the order they were set (FIFO, which is
 * what makes gevent's `12, 56, 9` then `34, 78` come out in that order).
 * Entries are the sleeping tasks themselves (no wrapper per sleep); stale
 * entries (a killed sleeper) are skipped by the hub when popped.
 */

export interface TimerEntry {
  _at: number;
  _tseq: number;
}

function less(a: TimerEntry, b: TimerEntry): boolean {
  return a._at < b._at || (a._at === b._at && a._tseq < b._tseq);
}

export class TimerHeap<T extends TimerEntry> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(entry: T): void {
    const items = this.#items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!less(entry, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = items[l]!;
      if (r < n && less(items[r]!, child)) {
        c = r;
        child = items[r]!;
      }
      if (!less(child, last)) break;
      items[i] = child;
      i = c;
    }
    items[i] = last;
    return top;
  }

  clear(): void {
    this.#items = [];
  }
}
