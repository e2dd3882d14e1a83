/**
 * The dashboard's embedded broker keeps its durable data in the data dir it
 * is given (the state directory by default): the store's file appears there,
 * and a second dashboard on the same dir gets one clear line instead of a
 * broker.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startEmbeddedBroker } from "../../src/app/broker_worker.ts";

Deno.test({
  name: "the embedded broker keeps its data in the dir given; a second one on it is refused",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "warren-embedded-" });
    const first = await startEmbeddedBroker({ port: 0, httpPort: 0, dataDir: dir });
    try {
      assert(Deno.statSync(`${dir}/broker.db`).isFile);
      let error = "";
      await startEmbeddedBroker({ port: 0, httpPort: 0, dataDir: dir }).catch((e) =>
        error = e.message
      );
      assertEquals(
        error,
        `embedded broker: ${dir}/broker.db is in use by another broker (the database is locked)`,
      );
    } finally {
      await first.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
