/**
 * A queue's consumers and who gets the next message, as RabbitMQ picks: with
 * single active consumer, the first to subscribe; otherwise the highest
 * consumer priority (`x-priority`) with room, round-robin among equals
 * (starting after the last one served).
 */

/** The part of a consumer the picker needs. */
export interface Pickable {
  readonly priority: number;
  /** Whether it can take one more message now (prefetch, flow, socket backpressure). */
  canAccept(): boolean;
}

export class ConsumerRing<C extends Pickable> {
  #list: C[] = [];
  /** The highest consumer priority present, so the picker can stop early. */
  #topPriority = -Infinity;
  #next = 0;

  get length(): number {
    return this.#list.length;
  }

  get list(): readonly C[] {
    return this.#list;
  }

  add(consumer: C): void {
    this.#list.push(consumer);
    this.#updateTopPriority();
  }

  /** Removes a consumer; false when it was not there. */
  remove(consumer: C): boolean {
    const i = this.#list.indexOf(consumer);
    if (i < 0) return false;
    this.#list.splice(i, 1);
    this.#updateTopPriority();
    if (this.#next > i) this.#next--;
    return true;
  }

  /** Empties the ring, returning who was in it. */
  takeAll(): C[] {
    const all = this.#list;
    this.#list = [];
    this.#topPriority = -Infinity;
    this.#next = 0;
    return all;
  }

  pick(singleActive: boolean): C | undefined {
    const consumers = this.#list;
    if (singleActive) {
      const active = consumers[0];
      return active?.canAccept() ? active : undefined;
    }
    const n = consumers.length;
    const top = this.#topPriority;
    let best: C | undefined;
    let bestIndex = -1;
    for (let k = 0; k < n; k++) {
      const i = (this.#next + k) % n;
      const c = consumers[i]!;
      if (best !== undefined && c.priority <= best.priority) continue;
      if (!c.canAccept()) continue;
      best = c;
      bestIndex = i;
      if (c.priority === top) break; // nobody can beat it
    }
    if (best !== undefined) this.#next = (bestIndex + 1) % n;
    return best;
  }

  #updateTopPriority(): void {
    let top = -Infinity;
    for (const c of this.#list) if (c.priority > top) top = c.priority;
    this.#topPriority = top;
  }
}
