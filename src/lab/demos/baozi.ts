/**
 * The lesson's producer/consumer with generators and `send()`: each
 * `send(c, n)` runs the consumer at once, until its next `recv()`, then the
 * producer goes on (`producer -> c1 -> producer -> c2 -> producer`), as
 * Python's `c.send(n)` does. When the producer is done the program ends and
 * the consumers are left waiting in `recv`, abandoned, as Python leaves its
 * suspended generators.
 */
import { join, recv, send, sleep, type TaskGen } from "../effects.ts";
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
    // spawned first, they run first to their recv(), as Python's __next__() primes them
    const c1 = hub.spawn("c1", consumer);
    const c2 = hub.spawn("c2", consumer);
    const producer = hub.spawn("producer", function* () {
      for (let n = 1; n <= 5; n++) {
        yield send(c1, n);
        yield send(c2, n);
        yield sleep(1000);
        print(`[producer] is making baozi ${n}`);
      }
    });
    yield join(producer);
  },
};
