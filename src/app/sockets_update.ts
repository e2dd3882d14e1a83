/**
 * The Sockets panel's part of `update`: its keys, and the view it asks the
 * lab for (which server, the connections window, the event filter).
 */
import type { KeyEvent } from "../tui/keys.ts";
import { type AppState, withCommandLine } from "./model.ts";
import { screenLayout } from "./screen_layout.ts";
import {
  desiredSocketsView,
  socketsLayout,
  type SocketsState,
  syncSocketsView,
} from "./sockets.ts";
import { updateSocketsKey } from "./sockets_keys.ts";

/** Asks the lab for the connections and events the Sockets panel now needs, once it has any. */
export function syncSockets(state: AppState): AppState {
  if (state.sockets.snapshot === undefined) return state;
  const layout = socketsLayout(screenLayout(state.width, state.height).panel);
  const view = desiredSocketsView(state.sockets, layout, state.filters.sockets);
  const { state: sockets, command } = syncSocketsView(state.sockets, view);
  if (!command) return state;
  return { ...state, sockets, outbox: [...state.outbox, command] };
}

export function withSockets(state: AppState, sockets: SocketsState): AppState {
  return { ...state, sockets };
}

/** The Sockets panel's own keys; undefined when the key is not one of them. */
export function socketsKey(state: AppState, key: KeyEvent): AppState | undefined {
  const layout = socketsLayout(screenLayout(state.width, state.height).panel);
  const intent = updateSocketsKey(state.sockets, key, layout);
  switch (intent?.kind) {
    case undefined:
      return undefined;
    case "state":
      return withSockets({ ...state, message: undefined }, intent.state);
    case "filter":
      return { ...state, message: undefined, filters: { ...state.filters, sockets: intent.text } };
    case "command-line":
      return withCommandLine(state, intent.text);
  }
}
