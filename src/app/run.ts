/**
 * The live dashboard: one loop. Input events and resizes go through
 * `update`; a changed state asks the frame scheduler for a frame, which
 * draws `view` into a buffer and writes only the diff. Nothing changes,
 * nothing is written.
 */
import { ScreenBuffer } from "../tui/buffer.ts";
import { Renderer } from "../tui/diff.ts";
import { FrameScheduler } from "../tui/fps.ts";
import { pumpInput } from "../tui/input.ts";
import { withTerminal } from "../tui/terminal.ts";
import type { StartOptions } from "./start_options.ts";
import { type AppState, initialState } from "./model.ts";
import { screenCapabilities } from "./theme.ts";
import { type AppEvent, update } from "./update.ts";
import { view } from "./view.ts";
import { startLabWorker } from "./lab_worker.ts";
import { startBrokerSession } from "./broker_session.ts";

export async function runDashboard(options: StartOptions): Promise<number> {
  const { colorLevel, theme } = screenCapabilities(Deno.env.toObject(), options);
  if (!Deno.stdin.isTerminal()) {
    console.error("warren start: stdin is not a terminal (try --snapshot for a text frame)");
    return 1;
  }
  return await withTerminal(async (term) => {
    const size = term.size();
    let state: AppState = initialState({
      panel: options.panel,
      width: size.columns,
      height: size.rows,
      readOnly: options.readOnly,
    });
    const buf = new ScreenBuffer(size.columns, size.rows);
    const renderer = new Renderer({ colorLevel });
    const frames = new FrameScheduler({
      fps: options.fps,
      render: () => {
        if (buf.width !== state.width || buf.height !== state.height) {
          buf.resize(state.width, state.height);
        }
        view(state, buf, theme);
        const bytes = renderer.renderBytes(buf);
        if (bytes.length > 0) term.write(bytes);
      },
    });
    const { promise: quit, resolve: onQuit } = Promise.withResolvers<void>();
    // Loading a Worker's module (the blocking echo server's, at `:serve
    // blocking` and during each `:compare`) can make Deno erase its progress
    // line from the cursor down: repaint all after a serve, and once a second
    // while a comparison runs.
    let repaintedAt = 0;
    const labEvent = (event: AppEvent) => {
      if (event.type === "lab") {
        const m = event.message;
        const comparing = m.type === "snapshot" && m.snapshot.sockets?.compare?.state === "running";
        const served = m.type === "reply" && m.command === "serve";
        if (served || (comparing && Date.now() - repaintedAt >= 1000)) {
          repaintedAt = Date.now();
          renderer.invalidate();
        }
      }
      dispatch(event);
    };
    const dispatch = (event: AppEvent) => {
      if (event.type === "key" && event.ctrl && event.key === "l") {
        // Ctrl-L: something else wrote on the screen; draw everything again.
        renderer.invalidate();
        frames.request();
        return;
      }
      const next = update(state, event);
      if (next === state) return;
      state = next;
      if (state.restartLab) {
        // A fresh hub in a fresh Worker; the outbox (a set-view) goes to it.
        state = { ...state, restartLab: false };
        lab.stop();
        lab = startLabWorker((event) => {
          // Loading a Worker's module can make Deno erase its progress line on
          // the terminal (from the cursor down): repaint all once the lab is up.
          if (event.type === "lab" && event.message.type === "hello") renderer.invalidate();
          labEvent(event);
        });
        connectActors();
      }
      const peek = state.rabbit.peekRequest;
      if (peek) {
        // The peek runs as async I/O; its answer comes back as a `peek` event.
        state = { ...state, rabbit: { ...state.rabbit, peekRequest: undefined } };
        broker.peek(peek.vhost, peek.queue);
      }
      const action = state.rabbit.actionRequest;
      if (action) {
        state = { ...state, rabbit: { ...state.rabbit, actionRequest: undefined } };
        broker.act(action);
      }
      if (state.outbox.length > 0) {
        const outbox = state.outbox;
        state = { ...state, outbox: [] };
        for (const command of outbox) lab.send(command);
      }
      if (state.quit) onQuit();
      // A key's answer is drawn at once; streamed figures wait for the --fps cap.
      else if (event.type === "key" || event.type === "paste") frames.requestNow();
      else frames.request();
    };
    // Events only arrive after this line (input and Worker messages are async).
    let lab = startLabWorker(labEvent);
    // The broker's URL with its password goes to the lab's actors, and only
    // there: it stays in this closure, never in the state that is drawn.
    let amqpUrl: string | undefined;
    const connectActors = () => {
      if (amqpUrl !== undefined) {
        lab.send({ type: "mq-connect", url: amqpUrl, workScale: options.workScale });
      }
    };
    // Declared before the first dispatch: a key may ask it for a peek.
    const broker = startBrokerSession({
      ...options,
      onAmqpUrl: (url) => {
        amqpUrl = url;
        connectActors();
      },
    }, (event) => dispatch(event));
    dispatch({ type: "lab-started" });
    term.onResize(({ columns, rows }) =>
      dispatch({ type: "resize", width: columns, height: rows })
    );
    // Input ends only when the terminal goes away; the Terminal handles that.
    pumpInput({ chunks: term.input(), onEvents: (events) => events.forEach(dispatch) });
    frames.request();
    await quit;
    frames.cancel();
    lab.stop();
    await broker.close();
    return 0;
  });
}
