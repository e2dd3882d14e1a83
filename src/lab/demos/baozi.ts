/** The lesson's producer/consumer with `send()`: two consumers eat what the producer makes. */
import { join, recv, sleep, type TaskGen } from "../effects.ts";
import type { Demo } from "./demo.ts";

export const baozi: Demo = {
  name: "baozi",
  description: "producer/consumer hand-off with send(): c1 and c2 eat what the producer makes",
  *main({ hub, print }) {
    function* consumer(self: { name: string }): TaskGen {
      print("--->starting eating baozi...");
      for (;;) {
        const n = yield recv();
        print(`[${self.name}] is eating baozi ${n}`);
      }
    }
    const c1 = hub.spawn("c1", consumer);
    const c2 = hub.spawn("c2", consumer);
    const producer = hub.spawn("producer", function* () {
      for (let n = 1; n <= 5; n++) {
        c1.send(n);
        c2.send(n);
        yield sleep(1000);
        print(`[producer] is making baozi ${n}`);
      }
    });
    yield join(producer);
    // the consumers wait for baozi forever, like the lesson's generators
    hub.kill(c1);
    hub.kill(c2);
  },
};
