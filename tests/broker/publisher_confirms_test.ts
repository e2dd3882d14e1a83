/**
 * Publisher confirms on their own: what goes out for a turn's worth of
 * confirmations. The conformance suite checks that every tag is covered on
 * the wire; this checks the coalescing that makes it cheap.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { PublisherConfirms } from "../../src/broker/publisher_confirms.ts";

function recorder(open = true) {
  const sent: string[] = [];
  const confirms = new PublisherConfirms({
    isOpen: () => open,
    send: (method, args) => {
      const multiple = args.multiple ? " multiple" : "";
      sent.push(`${method} ${args.deliveryTag}${multiple}`);
    },
  });
  return { sent, confirms };
}

/** Lets the microtask that flushes the confirms run. */
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("PublisherConfirms numbers publishes from 1", () => {
  const { confirms } = recorder();
  assertEquals([confirms.nextSeq(), confirms.nextSeq(), confirms.nextSeq()], [1, 2, 3]);
});

Deno.test("PublisherConfirms sends one confirm per turn: runs of acks become one multiple ack", async (t) => {
  const cases: { name: string; oks: boolean[]; sent: string[] }[] = [
    { name: "one ack", oks: [true], sent: ["basic.ack 1"] },
    { name: "a run of acks", oks: [true, true, true], sent: ["basic.ack 3 multiple"] },
    {
      name: "a nack splits the runs",
      oks: [true, true, false, true, true],
      sent: ["basic.ack 2 multiple", "basic.nack 3", "basic.ack 5 multiple"],
    },
    {
      name: "a single ack after a nack is not multiple",
      oks: [false, true],
      sent: ["basic.nack 1", "basic.ack 2"],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const { sent, confirms } = recorder();
      for (const ok of c.oks) confirms.confirm(confirms.nextSeq(), ok);
      assertEquals(sent, [], "nothing goes out before the turn ends");
      await nextTurn();
      assertEquals(sent, c.sent);
    });
  }
});

Deno.test("PublisherConfirms drops confirms once the channel is no longer open", async () => {
  const { sent, confirms } = recorder(false);
  confirms.confirm(confirms.nextSeq(), true);
  await nextTurn();
  assertEquals(sent, []);
});

Deno.test("PublisherConfirms with a store: a confirm waits for its ticket and holds back the later ones", async () => {
  const sent: string[] = [];
  const tickets:
    ({ open: number; failed: boolean; onDone: (() => void) | undefined } | undefined)[] = [];
  const confirms = new PublisherConfirms({
    isOpen: () => true,
    send: (method, args) =>
      sent.push(`${method} ${args.deliveryTag}${args.multiple ? " multiple" : ""}`),
  }, { takeTicket: () => tickets.shift() });
  const first = { open: 1, failed: false, onDone: undefined as (() => void) | undefined };
  const failing = { open: 1, failed: false, onDone: undefined as (() => void) | undefined };
  tickets.push(undefined, first, undefined, failing, undefined);
  for (let i = 0; i < 5; i++) confirms.confirm(confirms.nextSeq(), true);
  await nextTurn();
  // 1 needs nothing; 2 waits for the disk, so 3 (transient) waits behind it.
  assertEquals(sent, ["basic.ack 1"]);
  first.open = 0;
  first.onDone!();
  await nextTurn();
  assertEquals(sent, ["basic.ack 1", "basic.ack 3 multiple"]);
  failing.open = 0;
  failing.failed = true; // its commit failed: the message was not kept
  failing.onDone!();
  await nextTurn();
  assertEquals(sent, ["basic.ack 1", "basic.ack 3 multiple", "basic.nack 4", "basic.ack 5"]);
});
