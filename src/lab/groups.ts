/**
 * The hub's task groups by name. A group's figures are compared among peers
 * (the slow-wait warning: a task waiting far longer than its group usually
 * does) and counted for the UI. A group lives while it has live tasks, and
 * stays once it has measured waits, so its typical wait is not forgotten.
 */

/** Per-group figures (peers for the slow-wait warning, counts for the UI). */
export interface GroupStats {
  name: string;
  live: number;
  /** Exponential average of completed waits (hub ms), kept by the hub's state changes. */
  typicalWaitMs: number;
  completedWaits: number;
}

export class GroupTable {
  #groups = new Map<string, GroupStats>();

  /** Counts one more live task in group `name` (created on first use); returns its figures. */
  enter(name: string): GroupStats {
    let g = this.#groups.get(name);
    if (g === undefined) {
      g = { name, live: 0, typicalWaitMs: 0, completedWaits: 0 };
      this.#groups.set(name, g);
    }
    g.live++;
    return g;
  }

  /** Counts one live task less; a group with none left and nothing measured goes. */
  leave(g: GroupStats): void {
    if (--g.live === 0 && g.completedWaits === 0) this.#groups.delete(g.name);
  }

  get(name: string): GroupStats | undefined {
    return this.#groups.get(name);
  }

  list(): GroupStats[] {
    return [...this.#groups.values()];
  }
}
