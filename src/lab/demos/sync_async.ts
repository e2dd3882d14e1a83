/** gevent's classic comparison: nine 0.5 s tasks in sequence, then concurrently. */
import { join, joinAll, sleep } from "../effects.ts";
import type { Task } from "../task.ts";
import { type Demo, secs } from "./demo.ts";

export const syncAsync: Demo = {
  name: "sync-async",
  description: "nine tasks sleeping 0.5 s, in sequence then concurrently, with measured totals",
  *main({ hub, print }) {
    function task(pid: number) {
      return function* () {
        yield sleep(500);
        print(`Task ${pid} done`);
      };
    }
    print("Synchronous:");
    const syncStart = hub.now();
    for (let i = 1; i <= 9; i++) yield join(hub.spawn(`task ${i}`, task(i)));
    const syncMs = hub.now() - syncStart;

    print("Asynchronous:");
    const asyncStart = hub.now();
    const tasks: Task[] = [];
    for (let i = 1; i <= 9; i++) tasks.push(hub.spawn(`task ${i}`, task(i)));
    yield joinAll(tasks);
    const asyncMs = hub.now() - asyncStart;
    print(`sync ${secs(syncMs)}, async ${secs(asyncMs)}`);
  },
};
