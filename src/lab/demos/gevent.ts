/** The lesson's gevent program: tasks switch whenever one sleeps (waits on io). */
import { joinAll, sleep } from "../effects.ts";
import type { Demo } from "./demo.ts";

export const gevent: Demo = {
  name: "gevent",
  description: "switching on sleep: 12, 56, 9 at once, then 34, 78 one second later",
  *main({ hub, print }) {
    const tasks = [
      hub.spawn("func1", function* () {
        print("12");
        yield sleep(1000);
        print("34");
      }),
      hub.spawn("func2", function* () {
        print("56");
        yield sleep(1000);
        print("78");
      }),
      // deno-lint-ignore require-yield
      hub.spawn("func3", function* () {
        print("9");
      }),
    ];
    yield joinAll(tasks);
  },
};
