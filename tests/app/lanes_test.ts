import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { laneLabels } from "../../src/app/lanes.ts";

const lane = (id: number, name: string) => ({ id, name, samples: "" });

Deno.test("laneLabels() fit the column with an ellipsis and keep tasks apart", async (t) => {
  await t.step("names that fit and differ stay as they are", () => {
    assertEquals(laneLabels([lane(1, "gevent"), lane(2, "func1")], 8, "…"), ["gevent", "func1"]);
  });
  await t.step("a cut name gets its id, so sleeper 1 and sleeper 10 differ", () => {
    assertEquals(laneLabels([lane(2, "sleeper 1"), lane(11, "sleeper 10")], 8, "…"), [
      "slee… #2",
      "sle… #11",
    ]);
  });
  await t.step("the same name twice gets ids too", () => {
    assertEquals(
      laneLabels([lane(3, "worker"), lane(4, "worker")], 8, "…"),
      ["work… #3", "work… #4"],
    );
  });
});
