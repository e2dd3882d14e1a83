/**
 * The hub's warnings, each with the plain-language explanation the detail
 * view shows. Kept apart from the scheduler so the wording can be read and
 * changed in one place.
 */

import type { WarningKind, WarningRow } from "./protocol.ts";

export type { WarningKind };

/** One kind of warning on one task; repeats update it instead of piling up. */
export type TaskWarning = WarningRow;

export const BLOCKING_MS = 50;
export const NO_YIELD_MS = 1000;
/** A wait is "far longer than its peers" above both of these. */
export const SLOW_WAIT_MIN_MS = 1000;
export const SLOW_WAIT_FACTOR = 10;

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function blockingText(ms: number): { summary: string; explanation: string } {
  return {
    summary: `one step blocked the hub for ${fmt(ms)}`,
    explanation: `This task ran ${fmt(ms)} without yielding. All tasks share one thread: ` +
      `while one coroutine runs, no other can, so every timer and every io completion ` +
      `waited for it. A blocking call inside a coroutine (time.sleep instead of ` +
      `gevent.sleep, a busy loop, a synchronous read) stalls everyone; use yield sleep() ` +
      `or yield wait() instead.`,
  };
}

export function noYieldText(ms: number): { summary: string; explanation: string } {
  return {
    summary: `did not yield for ${fmt(ms)}`,
    explanation: `This task went ${fmt(ms)} without reaching a yield. A coroutine is only ` +
      `switched away from at a yield, so a long loop without one starves every other task. ` +
      `Break long computations with a bare yield, or move them out of the hub.`,
  };
}

export function slowWaitText(
  ms: number,
  peerMs: number,
  group: string,
): { summary: string; explanation: string } {
  return {
    summary: `waiting ${fmt(ms)}, peers in '${group}' typically ${fmt(peerMs)}`,
    explanation: `This task has been waiting ${fmt(ms)}, far longer than the other tasks of ` +
      `group '${group}' usually wait (${fmt(peerMs)}). It may be stuck: a message that ` +
      `never comes, a join on a task that never ends, a lost reply or an io call with no ` +
      `timeout.`,
  };
}
