/**
 * What a lesson demo is: a hub program that writes its lines through an
 * injected `print`, so the same program runs headless (`deno task demo`), in
 * tests under the virtual clock, and live in the Coroutines panel.
 */
import type { Effect } from "../effects.ts";
import type { Hub } from "../hub.ts";
import type { Task } from "../task.ts";

export interface DemoContext {
  hub: Hub;
  print: (line: string) => void;
  /** The demo's main task. */
  self: Task;
}

export interface Demo {
  name: string;
  /** One line for the demo list. */
  description: string;
  /** The main task's body; it spawns the rest and finishes when the demo is over. */
  main(ctx: DemoContext): Generator<Effect | undefined, unknown, unknown>;
}

/** `4.50 s`: how demos print durations measured on the hub clock. */
export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export interface RunDemoOptions {
  hub: Hub;
  print: (line: string) => void;
  /** Print hub warnings as `! warning: task: summary` lines (default true). */
  printWarnings?: boolean;
}

/**
 * Spawns `demo`'s main task on the hub and returns it (it runs when the hub
 * gets to it). When the main task ends, the demo's tasks still waiting
 * (baozi's consumers in `recv`, greenlet's `gr1` in a switch) are abandoned,
 * not failed: the lesson's Python program simply ends and leaves its
 * suspended generators behind.
 */
export function startDemo(demo: Demo, options: RunDemoOptions): Task {
  const { hub, print } = options;
  if (options.printWarnings ?? true) {
    hub.onWarning = (w) => print(`! warning: ${w.taskName}: ${w.summary}`);
  }
  return hub.spawn(demo.name, function* (self) {
    let ending = "demo failed";
    try {
      const result = yield* demo.main({ hub, print, self });
      ending = "demo ended";
      return result;
    } finally {
      // a demo that was stopped or killed: whoever ended it deals with the rest
      if (ending !== "demo failed" || hub.current === self) abandonDescendants(hub, self, ending);
    }
  }, { group: demo.name, parent: null });
}

/**
 * Abandons every live task `root` spawned, directly or not (or that joined
 * its group later: a grandchild whose parent has ended).
 */
export function abandonDescendants(hub: Hub, root: Task, why: string): number {
  const ids = new Set([root.id]);
  const left: Task[] = [];
  // spawn order: a parent is always met before its children
  hub.forEachLive((t) => {
    if (t === root || t.id < root.id) return;
    if (!ids.has(t.parentId) && t.group !== root.group) return;
    ids.add(t.id);
    left.push(t);
  });
  for (const t of left) hub.abandon(t, why);
  return left.length;
}

/**
 * Runs `demo` on `hub` and resolves with its main task once it finished
 * (done or failed: a failing demo fails its task, never the hub).
 */
export async function runDemo(demo: Demo, options: RunDemoOptions): Promise<Task> {
  const main = startDemo(demo, options);
  await main.whenFinished();
  return main;
}
