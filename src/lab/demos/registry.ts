/** The lesson's demos by name, in the order the lesson shows them. */
import { baozi } from "./baozi.ts";
import { blocking } from "./blocking.ts";
import type { Demo } from "./demo.ts";
import { fetchDemo } from "./fetch.ts";
import { gevent } from "./gevent.ts";
import { greenlet } from "./greenlet.ts";
import { syncAsync } from "./sync_async.ts";

export const DEMOS: readonly Demo[] = [baozi, greenlet, gevent, syncAsync, fetchDemo, blocking];

export function findDemo(name: string): Demo | undefined {
  return DEMOS.find((d) => d.name === name);
}
