/**
 * The dashboard's UI thread for the sockets bench's watcher
 * (`sockets_watch.ts`), on a Worker of its own as the real UI thread is
 * separate from the lab's: each lab message goes through the app's `update`
 * (the Sockets panel, following the event stream), a changed state asks the
 * frame scheduler for a frame (15 fps at most, as `start`'s default), and a
 * frame draws `view` at 80x24 into a buffer and diffs it, as `app/run.ts`
 * does. The bytes are counted, not written. Commands the app puts in its
 * outbox (the panel's `sockets-view`) go back to the lab.
 */
/// <reference lib="deno.worker" />
import { ScreenBuffer } from "../src/tui/buffer.ts";
import { Renderer } from "../src/tui/diff.ts";
import { FrameScheduler } from "../src/tui/fps.ts";
import type { LabCommand, LabMessage } from "../src/lab/protocol.ts";
import { type AppState, initialState } from "../src/app/model.ts";
import { screenCapabilities } from "../src/app/theme.ts";
import { type AppEvent, update } from "../src/app/update.ts";
import { view } from "../src/app/view.ts";

export const WIDTH = 80;
export const HEIGHT = 24;
const FPS = 15;

/** From the lab side: a lab message, or "finish" (answered with the UI's figures). */
export type ToUi = { type: "lab"; message: LabMessage } | { type: "finish" };

/** What the UI thread did, for the bench's diagnostics. */
export interface UiFigures {
  snapshots: number;
  /** Snapshots whose event rows were drawn (the stream was followed). */
  events: number;
  frames: number;
  /** Milliseconds in `update` (all messages) and in `view` + diff (all frames). */
  updateMs: number;
  frameMs: number;
  bytes: number;
}

/** To the lab side: "ready" once loaded, commands from the outbox, the figures at the end. */
export type FromUi =
  | { type: "ready" }
  | { type: "command"; command: LabCommand }
  | { type: "figures"; figures: UiFigures };

const post = (message: FromUi) => self.postMessage(message);

const { colorLevel, theme } = screenCapabilities(
  { TERM: "xterm-256color", COLORTERM: "truecolor", LANG: "C.UTF-8" },
  { color: "auto", ascii: false },
);
let state: AppState = initialState({ panel: "sockets", width: WIDTH, height: HEIGHT });
const buf = new ScreenBuffer(WIDTH, HEIGHT);
const renderer = new Renderer({ colorLevel });
const figures: UiFigures = {
  snapshots: 0,
  events: 0,
  frames: 0,
  updateMs: 0,
  frameMs: 0,
  bytes: 0,
};
const frames = new FrameScheduler({
  fps: FPS,
  render: () => {
    const t0 = performance.now();
    view(state, buf, theme);
    figures.bytes += renderer.renderBytes(buf).length;
    figures.frameMs += performance.now() - t0;
    figures.frames++;
  },
});

function dispatch(event: AppEvent): void {
  const t0 = performance.now();
  const next = update(state, event);
  figures.updateMs += performance.now() - t0;
  if (next === state) return;
  state = next;
  if (state.outbox.length > 0) {
    const outbox = state.outbox;
    state = { ...state, outbox: [] };
    for (const command of outbox) post({ type: "command", command });
  }
  frames.request();
}

self.onmessage = (e: MessageEvent<ToUi>) => {
  const data = e.data;
  if (data.type === "finish") {
    frames.cancel();
    post({ type: "figures", figures });
    return;
  }
  const m = data.message;
  if (m.type === "snapshot" && m.snapshot.sockets) {
    figures.snapshots++;
    if (m.snapshot.sockets.events.rows.length > 0) figures.events++;
  }
  dispatch({ type: "lab", message: m });
};

// as `run.ts`: the lab is started, then its messages arrive
dispatch({ type: "lab-started" });
frames.request();
post({ type: "ready" });
