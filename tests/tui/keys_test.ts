import { deepStrictEqual, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import {
  formatKey,
  type InputEvent,
  KeyParser,
  makeKey,
  type MouseEvent,
} from "../../src/tui/keys.ts";

const enc = new TextEncoder();
const bytes = (s: string | number[]): Uint8Array =>
  typeof s === "string" ? enc.encode(s) : new Uint8Array(s);

const k = makeKey;
const ctrl = (key: string) => makeKey(key, { ctrl: true });
const alt = (key: string) => makeKey(key, { alt: true });
const shift = (key: string) => makeKey(key, { shift: true });
const paste = (text: string): InputEvent => ({ type: "paste", text });
const mouse = (
  action: MouseEvent["action"],
  button: MouseEvent["button"],
  x: number,
  y: number,
  mods: Partial<Pick<MouseEvent, "ctrl" | "alt" | "shift">> = {},
): InputEvent => ({
  type: "mouse",
  action,
  button,
  x,
  y,
  ctrl: false,
  alt: false,
  shift: false,
  ...mods,
});

interface Case {
  name: string;
  input: Uint8Array;
  events: InputEvent[];
  /** Means the same wherever it sits in a stream (no lone ESC, no broken UTF-8). */
  standalone: boolean;
}

function c(name: string, input: string | number[], events: InputEvent[], standalone = true): Case {
  return { name, input: bytes(input), events, standalone };
}

const CASES: Case[] = [
  c("ascii letter", "a", [k("a")]),
  c("upper-case letter", "G", [k("G")]),
  c("digit", "7", [k("7")]),
  c("space", " ", [k(" ")]),
  c("tilde", "~", [k("~")]),
  c("latin-1 (2-byte UTF-8)", "é", [k("é")]),
  c("CJK (3-byte UTF-8)", "中", [k("中")]),
  c("emoji (4-byte UTF-8)", "😀", [k("😀")]),
  c("enter as CR", "\r", [k("enter")]),
  c("enter as LF", "\n", [k("enter")]),
  c("tab", "\t", [k("tab")]),
  c("shift-tab (CSI Z)", "\x1b[Z", [shift("backtab")]),
  c("backspace as DEL", [0x7f], [k("backspace")]),
  c("backspace as BS", [0x08], [k("backspace")]),
  c("escape alone (after the timeout)", "\x1b", [k("escape")], false),
  c("ctrl-a", [0x01], [ctrl("a")]),
  c("ctrl-c", [0x03], [ctrl("c")]),
  c("ctrl-z", [0x1a], [ctrl("z")]),
  c("ctrl-space", [0x00], [ctrl(" ")]),
  c("ctrl-backslash", [0x1c], [ctrl("\\")]),
  c("alt-x", "\x1bx", [alt("x")]),
  c("alt-X", "\x1bX", [alt("X")]),
  c("alt-中", "\x1b中", [alt("中")]),
  c("alt-enter", "\x1b\r", [alt("enter")]),
  c("alt-backspace", [0x1b, 0x7f], [alt("backspace")]),
  c("ctrl-alt-a", [0x1b, 0x01], [makeKey("a", { ctrl: true, alt: true })]),
  c("alt-[ alone (after the timeout)", "\x1b[", [alt("[")], false),
  c("alt-O alone (after the timeout)", "\x1bO", [alt("O")], false),
  c("up (CSI)", "\x1b[A", [k("up")]),
  c("down (CSI)", "\x1b[B", [k("down")]),
  c("right (CSI)", "\x1b[C", [k("right")]),
  c("left (CSI)", "\x1b[D", [k("left")]),
  c("home (CSI H)", "\x1b[H", [k("home")]),
  c("end (CSI F)", "\x1b[F", [k("end")]),
  c("up (SS3)", "\x1bOA", [k("up")]),
  c("down (SS3)", "\x1bOB", [k("down")]),
  c("right (SS3)", "\x1bOC", [k("right")]),
  c("left (SS3)", "\x1bOD", [k("left")]),
  c("home (SS3)", "\x1bOH", [k("home")]),
  c("end (SS3)", "\x1bOF", [k("end")]),
  c("f1 (SS3)", "\x1bOP", [k("f1")]),
  c("f2 (SS3)", "\x1bOQ", [k("f2")]),
  c("f3 (SS3)", "\x1bOR", [k("f3")]),
  c("f4 (SS3)", "\x1bOS", [k("f4")]),
  c("f1 (CSI P)", "\x1b[P", [k("f1")]),
  c("f4 (CSI S)", "\x1b[S", [k("f4")]),
  c("home (CSI 1~)", "\x1b[1~", [k("home")]),
  c("insert (CSI 2~)", "\x1b[2~", [k("insert")]),
  c("delete (CSI 3~)", "\x1b[3~", [k("delete")]),
  c("end (CSI 4~)", "\x1b[4~", [k("end")]),
  c("pageup (CSI 5~)", "\x1b[5~", [k("pageup")]),
  c("pagedown (CSI 6~)", "\x1b[6~", [k("pagedown")]),
  c("home (CSI 7~, rxvt)", "\x1b[7~", [k("home")]),
  c("end (CSI 8~, rxvt)", "\x1b[8~", [k("end")]),
  c("f1 (CSI 11~, rxvt)", "\x1b[11~", [k("f1")]),
  c("f4 (CSI 14~, rxvt)", "\x1b[14~", [k("f4")]),
  c("f5", "\x1b[15~", [k("f5")]),
  c("f6", "\x1b[17~", [k("f6")]),
  c("f7", "\x1b[18~", [k("f7")]),
  c("f8", "\x1b[19~", [k("f8")]),
  c("f9", "\x1b[20~", [k("f9")]),
  c("f10", "\x1b[21~", [k("f10")]),
  c("f11", "\x1b[23~", [k("f11")]),
  c("f12", "\x1b[24~", [k("f12")]),
  c("f1 (linux console)", "\x1b[[A", [k("f1")]),
  c("f5 (linux console)", "\x1b[[E", [k("f5")]),
  c("shift-up (CSI 1;2A)", "\x1b[1;2A", [shift("up")]),
  c("alt-up (CSI 1;3A)", "\x1b[1;3A", [alt("up")]),
  c("ctrl-up (CSI 1;5A)", "\x1b[1;5A", [ctrl("up")]),
  c("ctrl-shift-right (CSI 1;6C)", "\x1b[1;6C", [
    makeKey("right", { ctrl: true, shift: true }),
  ]),
  c("ctrl-alt-left (CSI 1;7D)", "\x1b[1;7D", [makeKey("left", { ctrl: true, alt: true })]),
  c("ctrl-alt-shift-home (CSI 1;8H)", "\x1b[1;8H", [
    makeKey("home", { ctrl: true, alt: true, shift: true }),
  ]),
  c("meta counts as alt (CSI 1;9A)", "\x1b[1;9A", [alt("up")]),
  c("ctrl-delete (CSI 3;5~)", "\x1b[3;5~", [ctrl("delete")]),
  c("shift-pageup (CSI 5;2~)", "\x1b[5;2~", [shift("pageup")]),
  c("ctrl-f5 (CSI 15;5~)", "\x1b[15;5~", [ctrl("f5")]),
  c("shift-f1 (CSI 1;2P)", "\x1b[1;2P", [shift("f1")]),
  c("ctrl-f1 (SS3 with modifier)", "\x1bO5P", [ctrl("f1")]),
  c("ctrl-a (CSI u)", "\x1b[97;5u", [ctrl("a")]),
  c("shift-enter (CSI u)", "\x1b[13;2u", [shift("enter")]),
  c("unknown CSI is dropped", "\x1b[99~", []),
  c("focus-in report is dropped", "\x1b[I", []),
  c("paste", "\x1b[200~hello\x1b[201~", [paste("hello")]),
  c("paste with escape bytes and newlines", "\x1b[200~a\r\nb\x1b[Ac\x1bd\re\x1b[201~", [
    paste("a\nb\x1b[Ac\x1bd\ne"),
  ]),
  c("paste of CJK", "\x1b[200~中文\x1b[201~", [paste("中文")]),
  c("empty paste", "\x1b[200~\x1b[201~", [paste("")]),
  c("mouse left press", "\x1b[<0;10;5M", [mouse("press", "left", 9, 4)]),
  c("mouse left release", "\x1b[<0;10;5m", [mouse("release", "left", 9, 4)]),
  c("mouse right press with ctrl", "\x1b[<18;1;1M", [
    mouse("press", "right", 0, 0, { ctrl: true }),
  ]),
  c("mouse drag", "\x1b[<32;3;4M", [mouse("drag", "left", 2, 3)]),
  c("mouse move", "\x1b[<35;3;4M", [mouse("move", "none", 2, 3)]),
  c("wheel up", "\x1b[<64;7;8M", [mouse("wheel", "wheelup", 6, 7)]),
  c("wheel down", "\x1b[<65;7;8M", [mouse("wheel", "wheeldown", 6, 7)]),
  c("invalid UTF-8 byte", [0xff], [k("\ufffd")], false),
  c("lone continuation byte", [0x80], [k("\ufffd")], false),
  c("overlong encoding", [0xc0, 0xaf], [k("\ufffd"), k("\ufffd")], false),
  c("surrogate encoding", [0xed, 0xa0, 0x80], [k("\ufffd"), k("\ufffd"), k("\ufffd")], false),
  c("truncated CJK then ascii", [0xe4, 0xb8, 0x61], [k("\ufffd"), k("a")], false),
  c("truncated CJK at the end (after the timeout)", [0xe4, 0xb8], [k("\ufffd")], false),
];

/** Feeds `chunks` at time 0, then flushes long after every deadline. */
function parseChunks(chunks: Uint8Array[]): InputEvent[] {
  const parser = new KeyParser();
  const events = chunks.flatMap((chunk) => parser.feed(chunk, 0));
  events.push(...parser.flush(10_000));
  strictEqual(parser.pendingDeadline, null, "nothing left pending after the flush");
  return events;
}

function splitAt(input: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [0, ...cuts.filter((n) => n > 0 && n < input.length).sort((a, b) => a - b)];
  return points.map((start, i) => input.slice(start, points[i + 1] ?? input.length));
}

for (const tc of CASES) {
  Deno.test(`KeyParser parses ${tc.name}`, () => {
    deepStrictEqual(parseChunks([tc.input]), tc.events);
  });
}

Deno.test("KeyParser gives the same events for every table entry split at every byte", async (t) => {
  for (const tc of CASES) {
    await t.step(tc.name, () => {
      for (let cut = 1; cut < tc.input.length; cut++) {
        deepStrictEqual(
          parseChunks(splitAt(tc.input, [cut])),
          tc.events,
          `${tc.name} cut at ${cut}`,
        );
      }
      const oneByteReads = Array.from(tc.input, (b) => new Uint8Array([b]));
      deepStrictEqual(parseChunks(oneByteReads), tc.events, `${tc.name} one byte per read`);
    });
  }
});

Deno.test("KeyParser gives the same events for random key streams split into random reads", () => {
  const pool = CASES.filter((tc) => tc.standalone && tc.events.length > 0);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 20 }),
      fc.array(fc.nat(400), { maxLength: 30 }),
      (tokens, cuts) => {
        const stream = new Uint8Array(tokens.flatMap((t) => [...t.input]));
        const expected = tokens.flatMap((t) => t.events);
        deepStrictEqual(parseChunks(splitAt(stream, cuts)), expected);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("KeyParser tells lone Escape presses from sequences by time in random streams", () => {
  const pool = CASES.filter((tc) => tc.standalone && tc.events.length > 0);
  const escape = c("escape", "\x1b", [k("escape")], false);
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...pool), fc.constant(escape)), { maxLength: 20 }),
      fc.array(fc.nat(400), { maxLength: 30 }),
      (tokens, cuts) => {
        // A lone ESC is followed by a pause longer than the timeout; the rest
        // of the stream arrives in random reads within the timeout.
        const parser = new KeyParser({ escTimeoutMs: 30 });
        const events: InputEvent[] = [];
        let now = 0;
        let segment: number[] = [];
        const sendSegment = () => {
          for (const chunk of splitAt(new Uint8Array(segment), cuts)) {
            events.push(...parser.feed(chunk, now));
            now += 1;
          }
          segment = [];
        };
        for (const token of tokens) {
          segment.push(...token.input);
          if (token === escape) {
            sendSegment();
            now += 100;
          }
        }
        sendSegment();
        events.push(...parser.flush(now + 100));
        deepStrictEqual(events, tokens.flatMap((t) => t.events));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("KeyParser holds a lone ESC until the timeout, then emits Escape", () => {
  const parser = new KeyParser({ escTimeoutMs: 30 });
  deepStrictEqual(parser.feed(bytes("\x1b"), 1000), []);
  strictEqual(parser.pendingDeadline, 1030);
  deepStrictEqual(parser.flush(1029), []);
  deepStrictEqual(parser.flush(1030), [k("escape")]);
  strictEqual(parser.pendingDeadline, null);
  deepStrictEqual(parser.flush(2000), []);
});

Deno.test("KeyParser joins ESC and the rest of a sequence that arrives within the timeout", () => {
  const parser = new KeyParser({ escTimeoutMs: 30 });
  deepStrictEqual(parser.feed(bytes("\x1b"), 0), []);
  deepStrictEqual(parser.feed(bytes("["), 20), []);
  strictEqual(parser.pendingDeadline, 50, "the deadline moves with each read");
  deepStrictEqual(parser.feed(bytes("A"), 45), [k("up")]);
});

Deno.test("KeyParser treats a key after the timeout as a separate key, not Alt", () => {
  const parser = new KeyParser({ escTimeoutMs: 30 });
  deepStrictEqual(parser.feed(bytes("\x1b"), 0), []);
  // The caller's timer did not run (busy loop): the late byte still sees the ESC as final.
  deepStrictEqual(parser.feed(bytes("x"), 31), [k("escape"), k("x")]);
});

Deno.test("KeyParser emits two Escapes for ESC ESC", () => {
  const parser = new KeyParser();
  deepStrictEqual(parser.feed(bytes("\x1b\x1b"), 0), [k("escape")]);
  deepStrictEqual(parser.flush(100), [k("escape")]);
});

Deno.test("KeyParser emits an unterminated paste after the paste timeout", () => {
  const parser = new KeyParser({ pasteTimeoutMs: 1000 });
  deepStrictEqual(parser.feed(bytes("\x1b[200~abc"), 0), []);
  deepStrictEqual(parser.feed(bytes("def\x1b[20"), 500), []);
  strictEqual(parser.pendingDeadline, 1500);
  deepStrictEqual(parser.flush(1499), []);
  deepStrictEqual(parser.flush(1500), [paste("abcdef\x1b[20")]);
  deepStrictEqual(parser.feed(bytes("q"), 1600), [k("q")], "keys work again after it");
});

Deno.test("KeyParser keeps parsing keys after a paste in the same read", () => {
  deepStrictEqual(parseChunks([bytes("x\x1b[200~p\x1b[201~\x1b[By")]), [
    k("x"),
    paste("p"),
    k("down"),
    k("y"),
  ]);
});

Deno.test("KeyParser does not keep a reference to the caller's read buffer", () => {
  const parser = new KeyParser();
  const buf = bytes("\x1b[");
  deepStrictEqual(parser.feed(buf, 0), []);
  buf.set([0x78, 0x78]); // the caller reuses its buffer for the next read
  deepStrictEqual(parser.feed(bytes("B"), 1), [k("down")]);
});

Deno.test("KeyParser never throws on random bytes and always drains them", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(64)), (data, cuts) => {
      const events = parseChunks(splitAt(data, cuts));
      for (const ev of events) strictEqual(typeof ev.type, "string");
    }),
    { numRuns: 500 },
  );
});

Deno.test("KeyParser decodes printable text like TextDecoder does", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), fc.array(fc.nat(80)), (s, cuts) => {
      const printable = [...s].filter((ch) => ch >= " " && ch !== "\x7f").join("");
      const events = parseChunks(splitAt(bytes(printable), cuts));
      strictEqual(events.map((ev) => (ev.type === "key" ? ev.key : "?")).join(""), printable);
    }),
    { numRuns: 300 },
  );
});

Deno.test("formatKey() writes keys the way keymaps and help name them", async (t) => {
  const table: [InputEvent & { type: "key" }, string][] = [
    [ctrl("c"), "ctrl+c"],
    [alt("x"), "alt+x"],
    [shift("backtab"), "shift+tab"],
    [makeKey("backtab"), "shift+tab"],
    [makeKey("up", { ctrl: true, shift: true }), "ctrl+shift+up"],
    [makeKey("left", { ctrl: true, alt: true, shift: true }), "ctrl+alt+shift+left"],
    [k(" "), "space"],
    [ctrl(" "), "ctrl+space"],
    [k("G"), "G"],
    [k("f12"), "f12"],
    [k("中"), "中"],
    [k("escape"), "escape"],
  ];
  for (const [ev, text] of table) {
    await t.step(text, () => strictEqual(formatKey(ev), text));
  }
});

Deno.test("formatKey() names what the parser emits for real byte sequences", () => {
  const named = (input: string) =>
    parseChunks([bytes(input)]).map((ev) => ev.type === "key" ? formatKey(ev) : ev.type);
  deepStrictEqual(named("\x03\x1b[Z\x1bx\x1b[1;5A q"), [
    "ctrl+c",
    "shift+tab",
    "alt+x",
    "ctrl+up",
    "space",
    "q",
  ]);
});
