/**
 * AMQP codec micro-benchmark: frames/s to parse and to encode a basic.publish
 * + content header + 64-byte body triple, the broker's hot path. The reference
 * is a plain `Uint8Array.set` copy of the same bytes, measured in the same run:
 * the ratio says how far the codec is from merely moving the bytes.
 */

import type { BenchResult, BenchSuite } from "./harness.ts";
import {
  encodeBodyFrames,
  encodeHeaderFrame,
  encodeMessageFrames,
  encodeMethodFrame,
  FrameParser,
} from "../src/amqp/mod.ts";

const BODY = new Uint8Array(64).fill(0x61);
const ARGS = { exchange: "amq.direct", routingKey: "task_queue", mandatory: false };
const PROPS = { contentType: "text/plain", deliveryMode: 2 };
const FRAME_MAX = 131072;
const FRAMES_PER_MESSAGE = 3;
/** Messages per simulated socket read when parsing. */
const BATCH = 1000;

function encodeTriple(): Uint8Array[] {
  return [
    encodeMethodFrame(1, "basic.publish", ARGS),
    encodeHeaderFrame(1, 60, BODY.length, PROPS),
    ...encodeBodyFrames(1, BODY, FRAME_MAX),
  ];
}

/**
 * Runs `fn` (which handles `unit` frames per call) for about `ms` and returns
 * frames/s: the median of five rounds, so one GC pause or a busy neighbour
 * on the shared machine does not decide the figure.
 */
function rate(ms: number, unit: number, fn: () => void): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up: let the JIT settle
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms / 5) {
      for (let i = 0; i < 50; i++) fn();
      calls += 50;
      now = performance.now();
    }
    rounds.push((calls * unit) / ((now - start) / 1000));
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

export interface AmqpBenchOptions {
  /** Measuring time per figure. */
  ms?: number;
}

export function makeAmqpBench(opts: AmqpBenchOptions = {}): BenchSuite {
  const ms = opts.ms ?? 400;
  return {
    name: "amqp",
    description: "AMQP codec: publish+header+64 B body, frames/s (ref: Uint8Array.set copy)",
    run(report: (result: BenchResult) => void): Promise<void> {
      const triple = encodeTriple();
      const tripleLen = triple.reduce((n, f) => n + f.length, 0);
      const stream = new Uint8Array(tripleLen * BATCH);
      for (let m = 0, off = 0; m < BATCH; m++) {
        for (const f of triple) {
          stream.set(f, off);
          off += f.length;
        }
      }

      // Reference: copy the same bytes frame by frame, as cheaply as JS can.
      const sink = new Uint8Array(tripleLen);
      const copyRef = rate(ms, FRAMES_PER_MESSAGE, () => {
        let off = 0;
        for (const f of triple) {
          sink.set(f, off);
          off += f.length;
        }
      });

      let parsed = 0;
      const parse = rate(ms, FRAMES_PER_MESSAGE * BATCH, () => {
        const p = new FrameParser({ frameMax: FRAME_MAX });
        p.push(stream);
        while (p.next() !== null) parsed++;
      });
      if (parsed === 0) throw new Error("parser produced no frames");

      const encode = rate(ms, FRAMES_PER_MESSAGE, () => {
        encodeTriple();
      });
      const encodeOne = rate(ms, FRAMES_PER_MESSAGE, () => {
        encodeMessageFrames({
          channel: 1,
          method: "basic.publish",
          args: ARGS,
          properties: PROPS,
          body: BODY,
          frameMax: FRAME_MAX,
        });
      });

      const goal = ">= 100k frames/s";
      report({ name: "parse publish triple", value: parse, unit: "frames/s", ref: copyRef, goal });
      report({
        name: "encode publish triple",
        value: encode,
        unit: "frames/s",
        ref: copyRef,
        goal,
      });
      report({
        name: "encode triple, one buffer",
        value: encodeOne,
        unit: "frames/s",
        ref: copyRef,
        goal,
      });
      return Promise.resolve();
    },
  };
}

export const amqpBench: BenchSuite = makeAmqpBench();

if (import.meta.main) {
  await amqpBench.run((r) => {
    const ratio = r.ref
      ? ` (ref ${Math.round(r.ref).toLocaleString()}, ratio ${(r.value / r.ref).toFixed(3)})`
      : "";
    console.log(`${r.name}: ${Math.round(r.value).toLocaleString()} ${r.unit}${ratio}`);
  });
}
