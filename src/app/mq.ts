/**
 * The RabbitMQ actors as the app holds them: the lab's latest actors part of
 * a snapshot, whether the actors view has the RabbitMQ panel's focus, the
 * selected actor (by name, so it stays put as others start and end), each
 * actor's recent log lines, and the actor a command just started, to select
 * once it shows up. Also the one-line readings the panel and the Overview
 * share. Nothing here holds a password: texts from the lab pass through
 * `hidePasswords` on their way in.
 */
import type { ActorKind, ActorRow, ActorState, MqSnapshot } from "../lab/protocol.ts";

export interface MqState {
  snapshot?: MqSnapshot;
  /** The actors view has the focus on the RabbitMQ panel (`a`, or a command that starts one). */
  shown: boolean;
  /** The selected actor's name, null before there is any. */
  selected: string | null;
  /** Each actor's latest log lines (time and text), oldest first, by name. */
  logs: Record<string, string[]>;
  /** Log lines the lab did not send (they came faster than a snapshot holds). */
  dropped: number;
  /**
   * Select the actor a command started once a snapshot shows it: the first
   * one whose name was not `known` then, or (for `:rpc`) the RPC client.
   */
  follow?: { known: string[] } | { kind: ActorKind };
}

/** Log lines kept per actor (one screen's worth, with room for a tall terminal). */
export const LOG_KEEP = 200;

export function initialMq(): MqState {
  return { shown: false, selected: null, logs: {}, dropped: 0 };
}

/** An `amqp://user:secret@host` in a text becomes `amqp://user:***@host`. */
export function hidePasswords(text: string): string {
  return text.replace(/(amqps?:\/\/[^:/@\s]*:)[^@\s]*@/g, "$1***@");
}

const ENDED: readonly ActorState[] = ["done", "stopped", "failed"];

/** Is the actor still at work (or trying to be)? `done` and `stopped` are normal ends. */
export function isLive(actor: ActorRow): boolean {
  return !ENDED.includes(actor.state);
}

function clean(part: MqSnapshot): MqSnapshot {
  return {
    ...part,
    url: part.url === null ? null : hidePasswords(part.url),
    actors: part.actors.map((
      a,
    ) => (a.error === null ? a : { ...a, error: hidePasswords(a.error) })),
    rpc: part.rpc.map((c) => (c.answer === null ? c : { ...c, answer: hidePasswords(c.answer) })),
  };
}

/** `12.3s`: hub time, as the log shows it. */
function hubTime(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A snapshot's actors part: stored, log lines appended per actor, the selection kept or followed. */
export function receiveMq(state: MqState, received: MqSnapshot): MqState {
  const part = clean(received);
  const names = new Set(part.actors.map((a) => a.name));
  const logs: Record<string, string[]> = {};
  for (const name of names) logs[name] = state.logs[name] ?? [];
  const added: Record<string, string[]> = {};
  for (const line of part.log.lines) {
    if (!names.has(line.actor)) continue;
    (added[line.actor] ??= []).push(`${hubTime(line.atMs)} ${hidePasswords(line.text)}`);
  }
  for (const [name, lines] of Object.entries(added)) {
    logs[name] = [...logs[name]!, ...lines].slice(-LOG_KEEP);
  }
  const before = state.snapshot?.actors ?? [];
  let selected = state.selected;
  if (selected === null || !names.has(selected)) {
    // The selected actor is gone (ended long ago): its neighbour in the old order, else the first.
    const at = before.findIndex((a) => a.name === selected);
    const kept = before.slice(Math.max(0, at)).find((a) => names.has(a.name));
    selected = kept?.name ?? part.actors[0]?.name ?? null;
  }
  return followActor({
    ...state,
    snapshot: part,
    logs,
    selected,
    dropped: state.dropped + part.log.dropped,
  });
}

/** Selects the actor a command asked to follow, if it is there yet. */
export function followActor(state: MqState): MqState {
  const follow = state.follow;
  const actors = state.snapshot?.actors ?? [];
  if (!follow) return state;
  const found = "kind" in follow
    ? actors.find((a) => a.kind === follow.kind && isLive(a))
    : actors.find((a) => !follow.known.includes(a.name));
  return found ? { ...state, selected: found.name, follow: undefined } : state;
}

export function selectedActor(state: MqState): ActorRow | undefined {
  const actors = state.snapshot?.actors ?? [];
  return actors.find((a) => a.name === state.selected) ?? actors[0];
}

const STATE_ORDER: readonly ActorState[] = [
  "running",
  "connecting",
  "reconnecting",
  "failed",
  "done",
  "stopped",
];

/** `actors: 6 running, 1 failed (topic)`; what to type when there are none. */
export function actorsLine(part: MqSnapshot | undefined): string {
  const actors = part?.actors ?? [];
  if (actors.length === 0) {
    return "no actors (s on the RabbitMQ panel, or :scenario NAME)";
  }
  const counts = STATE_ORDER.map((s) => [s, actors.filter((a) => a.state === s).length] as const)
    .filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
  return `actors: ${counts.join(", ")}${part?.scenario ? ` (${part.scenario})` : ""}`;
}

/** Messages per second as the tables show rates. */
export function formatRate(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

/** An actor's counters in words, those that mean something for its kind (and any not zero). */
export function actorCounters(a: ActorRow): string {
  const parts: string[] = [];
  const publishes = a.kind === "publisher" || a.kind === "rpc-client" || a.published > 0;
  const consumes = a.kind !== "publisher" || a.received > 0;
  if (publishes) {
    parts.push(`published ${a.published}`, `confirmed ${a.confirmed}`);
    if (a.nacked > 0 || a.kind === "publisher") parts.push(`nacked ${a.nacked}`);
    if (a.returned > 0 || a.kind === "publisher") parts.push(`returned ${a.returned}`);
  }
  if (consumes) {
    parts.push(`received ${a.received}`, `acked ${a.acked}`);
    if (a.rejected > 0) parts.push(`rejected ${a.rejected}`);
  }
  return `${parts.join(", ")}; ${formatRate(a.ratePerS)}/s`;
}
