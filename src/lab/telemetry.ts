/**
 * Builds the hub telemetry snapshot the Coroutines panel draws: exact counts,
 * plus only the window of task rows, the detail and the timeline lanes the UI
 * asked for, so its size stays bounded with 100k tasks.
 */
import type {
  HubHeader,
  Lane,
  LaneView,
  TaskDetail,
  TaskEventRow,
  TaskRow,
  TaskSortKey,
  TaskViewRequest,
  TaskWindow,
  WarningRow,
} from "./protocol.ts";
import type { Hub } from "./hub.ts";
import {
  S_ABANDONED,
  S_DONE,
  S_FAILED,
  S_KILLED,
  S_READY,
  S_RUNNING,
  stateName,
  type Task,
} from "./task.ts";
import type { TaskWarning } from "./warnings.ts";
import { errorMessage } from "../util/error_message.ts";

export const MAX_ROWS = 500;
export const MAX_LANES = 32;
export const MAX_BUCKETS = 240;

export const DEFAULT_VIEW: TaskViewRequest = {
  sort: "id",
  descending: false,
  filter: "",
  offset: 0,
  limit: 20,
  includeFinished: true,
  selectedId: null,
  lanes: { count: 8, windowMs: 10_000, buckets: 60 },
};

/** Merges a partial view into `base`, clamping sizes to the bounds above. */
export function mergeView(base: TaskViewRequest, patch: Partial<TaskViewRequest>): TaskViewRequest {
  const v = { ...base, ...patch, lanes: { ...base.lanes, ...patch.lanes } };
  const int = (x: number, lo: number, hi: number) =>
    Math.min(hi, Math.max(lo, Math.floor(Number.isFinite(x) ? x : lo)));
  v.offset = int(v.offset, 0, Number.MAX_SAFE_INTEGER);
  v.limit = int(v.limit, 0, MAX_ROWS);
  v.lanes.count = int(v.lanes.count, 0, MAX_LANES);
  v.lanes.buckets = int(v.lanes.buckets, 1, MAX_BUCKETS);
  v.lanes.windowMs = Math.max(1, Number.isFinite(v.lanes.windowMs) ? v.lanes.windowMs : 10_000);
  v.filter = String(v.filter).slice(0, 200);
  return v;
}

export function taskRow(t: Task, now: number): TaskRow {
  const end = t.endedAtMs ?? now;
  const age = Math.max(0, end - t.spawnedAtMs);
  const kind = t.waitKind;
  return {
    id: t.id,
    name: t.name,
    group: t.group,
    parentId: t.parentId,
    state: t.state,
    wait: kind,
    waitLabel: t.waitLabel,
    stateText: t.stateText,
    // For a finished task: how long ago it ended.
    stateForMs: Math.max(0, now - (t.finished ? end : t.stateSinceMs)),
    switches: t.switches,
    busyMs: t.busyMs,
    waitingMs: t.waitingMs,
    busyPct: age > 0 ? Math.min(100, (t.busyMs / age) * 100) : 0,
    ageMs: age,
    lastWake: t.lastWake,
    warnings: t.warnings.length,
  };
}

export function warningRow(w: TaskWarning): WarningRow {
  return { ...w };
}

type Compare = (a: Task, b: Task) => number;

function comparator(key: TaskSortKey, descending: boolean, now: number): Compare {
  const byId: Compare = (a, b) => a.id - b.id;
  let primary: Compare;
  switch (key) {
    case "name":
      primary = (a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      break;
    case "group":
      primary = (a, b) => a.group < b.group ? -1 : a.group > b.group ? 1 : 0;
      break;
    case "state":
      primary = (a, b) => a.stateCode - b.stateCode;
      break;
    case "switches":
      primary = (a, b) => a.switches - b.switches;
      break;
    case "busy":
      primary = (a, b) => a.busyMs - b.busyMs;
      break;
    case "age":
      primary = (a, b) => b.spawnedAtMs - a.spawnedAtMs;
      break;
    case "wait":
      primary = (a, b) => a.waitedBy(now) - b.waitedBy(now);
      break;
    case "warnings":
      primary = (a, b) => a.warnings.length - b.warnings.length;
      break;
    default:
      primary = byId;
  }
  const sign = descending ? -1 : 1;
  return (a, b) => sign * primary(a, b) || a.id - b.id;
}

/** The `k` smallest items in order, without sorting everything (k small, n large). */
export function smallest<T>(items: readonly T[], k: number, cmp: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  if (items.length <= k * 4) return [...items].sort(cmp).slice(0, k);
  const out: T[] = [];
  for (const item of items) {
    if (out.length === k && cmp(item, out[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(out[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    out.splice(lo, 0, item);
    if (out.length > k) out.pop();
  }
  return out;
}

function matcher(filter: string): ((t: Task) => boolean) | null {
  const f = filter.trim().toLowerCase();
  if (f === "") return null;
  const idMatch = /^#(\d+)$/.exec(f);
  if (idMatch !== null) {
    const id = Number(idMatch[1]);
    return (t) => t.id === id;
  }
  return (t) =>
    t.name.toLowerCase().includes(f) || t.group.toLowerCase().includes(f) ||
    t.stateText.toLowerCase().includes(f);
}

export function taskWindow(hub: Hub, request: TaskViewRequest, now: number): TaskWindow {
  const match = matcher(request.filter);
  const finished = request.includeFinished ? hub.recentFinished().sort((a, b) => a.id - b.id) : [];
  const anchorIndex = anchorPlace(hub, request, now, match, finished);
  // The window moves to the anchor by the UI's own rule: the selection on its last row.
  const view = anchorIndex === undefined
    ? request
    : { ...request, offset: Math.max(0, anchorIndex - request.limit + 1) };
  const window = windowRows(hub, view, now, match, finished);
  return anchorIndex === undefined ? window : { ...window, anchorIndex };
}

/** Where the anchor task stands in the requested order: how many matching tasks sort before it. */
function anchorPlace(
  hub: Hub,
  view: TaskViewRequest,
  now: number,
  match: ((t: Task) => boolean) | null,
  finished: readonly Task[],
): number | undefined {
  if (view.anchorId === null || view.anchorId === undefined) return undefined;
  const anchor = hub.task(view.anchorId) ?? finished.find((t) => t.id === view.anchorId);
  if (anchor === undefined || (match !== null && !match(anchor))) return undefined;
  const cmp = comparator(view.sort, view.descending, now);
  let before = 0;
  const count = (t: Task) => {
    if ((match === null || match(t)) && cmp(t, anchor) < 0) before++;
  };
  hub.forEachLive(count);
  for (const t of finished) count(t);
  return before;
}

function windowRows(
  hub: Hub,
  view: TaskViewRequest,
  now: number,
  match: ((t: Task) => boolean) | null,
  finished: readonly Task[],
): TaskWindow {
  if (view.sort === "id" && !view.descending) {
    // live tasks are kept in id order already: merge with the finished ones, no sort
    const end = view.offset + view.limit;
    const rows: Task[] = [];
    let total = 0;
    let f = 0;
    const take = (t: Task) => {
      if (match !== null && !match(t)) return;
      if (total >= view.offset && total < end) rows.push(t);
      total++;
    };
    hub.forEachLive((t) => {
      while (f < finished.length && finished[f]!.id < t.id) take(finished[f++]!);
      take(t);
    });
    while (f < finished.length) take(finished[f++]!);
    return { request: view, total, rows: rows.map((t) => taskRow(t, now)) };
  }
  let tasks: Task[] = [];
  hub.forEachLive((t) => tasks.push(t));
  for (const t of finished) tasks.push(t);
  if (match !== null) tasks = tasks.filter(match);
  const total = tasks.length;
  const end = Math.min(total, view.offset + view.limit);
  const cmp = comparator(view.sort, view.descending, now);
  const rows = end <= 2000
    ? smallest(tasks, end, cmp).slice(view.offset)
    : tasks.sort(cmp).slice(view.offset, end);
  return { request: view, total, rows: rows.map((t) => taskRow(t, now)) };
}

export function taskDetail(hub: Hub, t: Task, now: number): TaskDetail {
  const parentTask = t.parentId === 0 ? undefined : hub.task(t.parentId);
  const children: TaskDetail["children"] = [];
  let childCount = 0;
  hub.forEachLive((c) => {
    if (c.parentId !== t.id) return;
    childCount++;
    if (children.length < 50) children.push({ id: c.id, name: c.name, stateText: c.stateText });
  });
  // Finished children count too: "children: 0 (func1 done, ...)" contradicted itself.
  for (const c of hub.recentFinished()) {
    if (c.parentId !== t.id) continue;
    childCount++;
    if (children.length < 50) children.push({ id: c.id, name: c.name, stateText: c.stateText });
  }
  children.sort((a, b) => a.id - b.id);
  const events: TaskEventRow[] = hub.events(t).map((e) => ({
    atMs: e.atMs,
    state: stateName(e.code),
    text: e.text,
  }));
  return {
    task: taskRow(t, now),
    parent: t.parentId === 0
      ? null
      : { id: t.parentId, name: parentTask?.name ?? `#${t.parentId}` },
    children,
    childCount,
    events,
    eventCount: hub.eventCount(t),
    warnings: t.warnings.map(warningRow),
    error: t.stateCode === S_FAILED ? errorMessage(t.error) : null,
    endReason: t.stateCode === S_KILLED || t.stateCode === S_ABANDONED ? t.endReason : null,
    result: t.stateCode === S_DONE && t.result !== undefined ? short(t.result) : null,
  };
}

function short(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? text.slice(0, 199) + "…" : text;
}

const RANK_CHAR = [" ", "x", "w", "r", "R"] as const;

function rank(code: number): number {
  if (code === S_RUNNING) return 4;
  if (code === S_READY) return 3;
  if (code >= S_DONE) return 1; // any end
  return 2;
}

/**
 * One lane from the task's ring of recent state changes: each bucket shows
 * the "busiest" state the task was in during it (running > ready > waiting >
 * finished). Costs nothing while tasks run; a task that changed state more
 * often than the ring holds shows `?` where its history is gone.
 */
export function laneSamples(
  hub: Hub,
  t: Task,
  fromMs: number,
  bucketMs: number,
  buckets: number,
): string {
  const events = hub.events(t);
  const truncated = hub.eventCount(t) > events.length;
  let out = "";
  let k = 0;
  for (let b = 0; b < buckets; b++) {
    const start = fromMs + b * bucketMs;
    // the last bucket reaches up to now, inclusive
    const end = b === buckets - 1 ? Infinity : start + bucketMs;
    while (k < events.length && events[k]!.atMs < start) k++;
    let r: number;
    if (k > 0) {
      const code = events[k - 1]!.code;
      r = code >= S_DONE ? 0 : rank(code);
    } else r = -1; // nothing known at the start of the bucket
    let any = false;
    for (let j = k; j < events.length && events[j]!.atMs < end; j++) {
      any = true;
      const rj = rank(events[j]!.code);
      if (rj > r) r = rj;
    }
    if (r < 0) out += truncated && !any ? "?" : " ";
    else out += RANK_CHAR[r];
  }
  return out;
}

export function laneView(
  hub: Hub,
  view: TaskViewRequest,
  now: number,
  selected: Task | undefined,
): LaneView {
  const { count, windowMs, buckets } = view.lanes;
  const bucketMs = windowMs / buckets;
  const fromMs = now - windowMs;
  const lanes: Lane[] = [];
  if (count > 0) {
    // rank by recent activity: state changes inside the window; ties go to
    // the older task (the walk is in id order, so only a higher score displaces)
    const k = count - (selected ? 1 : 0);
    const top: Task[] = [];
    const scores: number[] = [];
    const consider = (t: Task) => {
      if (t === selected || k <= 0) return;
      const score = hub.eventsSince(t, fromMs);
      if (score === 0 && t.finished) return;
      if (top.length === k && score <= scores[k - 1]!) return;
      let i = top.length;
      while (i > 0 && scores[i - 1]! < score) i--;
      top.splice(i, 0, t);
      scores.splice(i, 0, score);
      if (top.length > k) {
        top.pop();
        scores.pop();
      }
    };
    for (const t of hub.recentFinished()) consider(t);
    hub.forEachLive(consider);
    const picked = top.sort((a, b) => a.id - b.id);
    if (selected !== undefined) picked.unshift(selected);
    for (const t of picked) {
      lanes.push({
        id: t.id,
        name: t.name,
        samples: laneSamples(hub, t, fromMs, bucketMs, buckets),
      });
    }
  }
  return { fromMs, bucketMs, buckets, lanes };
}

/** Turns hub counters into header figures, keeping the rate state between snapshots. */
export class HeaderMeter {
  #lastSwitches = 0;
  #lastAt = -1;

  header(hub: Hub): HubHeader {
    const s = hub.stats();
    const now = s.nowMs;
    const dt = this.#lastAt < 0 ? 0 : now - this.#lastAt;
    const rate = dt > 0 ? ((s.switches - this.#lastSwitches) * 1000) / dt : 0;
    this.#lastAt = now;
    this.#lastSwitches = s.switches;
    return { ...s, switchesPerS: rate, loopLagMs: hub.takeLoopLagMs() };
  }
}
