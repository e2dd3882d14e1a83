/**
 * The Coroutines panel tells how each task ended: red only for a failure,
 * its own colour for a task a person killed, a neutral dim row for one its
 * demo left waiting (abandoned), with the reason in the detail.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { initialState } from "../../src/app/model.ts";
import { COLOR_STYLES } from "../../src/app/theme.ts";
import { view } from "../../src/app/view.ts";
import { detailLines } from "../../src/app/coroutines_detail.ts";
import { virtualHub } from "../../src/lab/hub.ts";
import { recv } from "../../src/lab/effects.ts";
import { LabService } from "../../src/lab/lab_service.ts";
import { taskDetail } from "../../src/lab/telemetry.ts";
import type { LabMessage } from "../../src/lab/protocol.ts";
import { ScreenBuffer } from "../../src/tui/buffer.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import { run } from "./support/run.ts";

/** baozi run to its end, plus a task killed by a person and one that threw. */
async function labAfterBaozi() {
  const hub = virtualHub();
  const service = new LabService({ hub, post: (_m: LabMessage) => {} });
  service.handle({ type: "run-demo", name: "baozi" });
  await hub.idle();
  const victim = hub.spawn("victim", function* () {
    yield recv();
  }, { parent: null });
  // deno-lint-ignore require-yield
  hub.spawn("thrower", function* () {
    throw new Error("boom");
  }, { parent: null });
  await hub.idle();
  service.handle({ type: "kill-task", id: victim.id });
  await new Promise((r) => setTimeout(r, 0));
  return { hub, service };
}

Deno.test("the task table colours a row by how the task ended; the header counts the ends", async () => {
  const { hub, service } = await labAfterBaozi();
  const state = run(
    initialState({ panel: "coroutines" }),
    { type: "lab-started" },
    { type: "lab", message: { type: "hello", demos: [] } },
    { type: "lab", message: { type: "snapshot", snapshot: service.snapshot() } },
  );
  const buf = new ScreenBuffer(80, 24);
  view(state, buf, { symbols: symbolsFor(true), styles: COLOR_STYLES });
  const lines = buf.toLines();
  const row = (name: string) => {
    const y = lines.findIndex((l) => new RegExp(`^│ +\\d+ ${name} `).test(l));
    assert(y >= 0, `a row for ${name}:\n${lines.join("\n")}`);
    const x = lines[y]!.indexOf(name);
    // The state column is the first cell after the name and group that names a state.
    const state = /\b(done|failed|killed|abandoned|ready|running|waiting\S*)\b/
      .exec(lines[y]!.slice(x + name.length))?.[1] ?? "";
    return { state, style: buf.cell(x, y).style };
  };
  // the header counts each way of ending that is not plain done
  assert(lines[2]!.includes("lag 0ms  1 failed  1 killed  2 abandoned"), lines[2]!);
  const failedAt = lines[2]!.indexOf("1 failed");
  assertEquals(buf.cell(failedAt, 2).style.fg, 1);
  assertEquals(buf.cell(lines[2]!.indexOf("2 abandoned"), 2).style, { dim: true });
  assertEquals(row("c1").state, "abandoned");
  assertEquals(row("c1").style, { dim: true });
  assertEquals(row("c2").style, { dim: true });
  assertEquals(row("producer").state, "done");
  assertEquals(row("producer").style, {});
  assertEquals(row("victim").state, "killed");
  assertEquals(row("victim").style.fg, 5);
  assertEquals(row("thrower").state, "failed");
  assertEquals(row("thrower").style.fg, 1);
  hub.close();
});

Deno.test("the detail of an abandoned task says why, and that it is not a failure", async () => {
  const { hub } = await labAfterBaozi();
  const c1 = hub.recentFinished().find((t) => t.name === "c1")!;
  const lines = detailLines(taskDetail(hub, c1, hub.now()), hub.now());
  const texts = lines.map((l) => l.text);
  assert(texts[1]!.startsWith("state abandoned "), texts[1]!);
  const why = lines.find((l) => l.text.startsWith("abandoned: "));
  assert(why !== undefined, texts.join("\n"));
  assert(why.text.includes("demo ended while it waited in recv"), why.text);
  assert(why.text.includes("not a failure"), why.text);
  assertEquals(why.style?.fg, undefined, "not red");
  assert(!texts.some((t) => t.startsWith("error:")), texts.join("\n"));
  const victim = hub.recentFinished().find((t) => t.name === "victim")!;
  const killed = detailLines(taskDetail(hub, victim, hub.now()), hub.now()).map((l) => l.text);
  assert(killed.includes("killed: task 'victim' was killed (kill-task)"), killed.join("\n"));
  hub.close();
});
