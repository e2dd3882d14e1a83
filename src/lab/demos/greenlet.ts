/** The lesson's greenlet program: explicit switching between two coroutines. */
import { join, switchTo } from "../effects.ts";
import type { Task } from "../task.ts";
import type { Demo } from "./demo.ts";

export const greenlet: Demo = {
  name: "greenlet",
  description: "explicit switching with switchTo (greenlet): prints 12, 56, 34, 78",
  *main({ hub, print }) {
    let gr1: Task | null = null;
    let gr2: Task | null = null;
    gr1 = hub.spawn("gr1", function* () {
      print("12");
      yield switchTo(gr2!);
      print("34");
      yield switchTo(gr2!);
    });
    gr2 = hub.spawn("gr2", function* () {
      print("56");
      yield switchTo(gr1!);
      print("78");
    });
    // gr1 stays parked in its last switch, as a greenlet nobody switches back
    // to: when the demo ends it is abandoned, not failed
    yield join(gr2);
  },
};
