/**
 * What the lesson warns about: a blocking call inside a coroutine. One task
 * busy-waits 2 s without yielding; the tickers' timers fire late and the
 * hub raises its blocking warning.
 */
import { joinAll, sleep } from "../effects.ts";
import { type Demo, secs } from "./demo.ts";

export const blocking: Demo = {
  name: "blocking",
  description: "one task busy-waits 2 s: everyone's timers fire late and a warning appears",
  *main({ hub, print }) {
    const start = hub.now();
    const at = () => secs(hub.now() - start);
    function ticker(name: string) {
      return function* () {
        for (let i = 1; i <= 3; i++) {
          const due = hub.now() + 500;
          yield sleep(500);
          const late = Math.max(0, Math.round(hub.now() - due));
          print(`[${name}] tick ${i} at ${at()} (late ${late} ms)`);
        }
      };
    }
    const tasks = [
      hub.spawn("a", ticker("a")),
      hub.spawn("b", ticker("b")),
      hub.spawn("busy", function* () {
        yield sleep(700);
        print("[busy] busy-waits 2 s without yielding (a blocking call inside a coroutine)");
        hub.clock.busyWait(2000);
        print(`[busy] done at ${at()}`);
      }),
    ];
    yield joinAll(tasks);
  },
};
