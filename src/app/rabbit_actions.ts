/**
 * Purge and delete on the RabbitMQ panel (`:purge`, `:delete`, P and D):
 * which queue or exchange, the question before it, the refusals (read-only
 * mode, RabbitMQ's own exchanges) and the line after it. Pure: a confirmed
 * action becomes `rabbit.actionRequest`, which the run loop performs through
 * the management API (`mgmt_actions.ts`) and answers with a `rabbit-done`.
 */
import type { AppState } from "./model.ts";
import type { RabbitActionResult } from "./mgmt_actions.ts";
import { bindingsOf, type RabbitAction, visibleRows } from "./rabbit.ts";
import { readOnlyRefusal } from "./read_only.ts";

/** The default exchange and `amq.*`: RabbitMQ refuses to delete them (403), and so do we, first. */
export function isProtectedExchange(name: string): boolean {
  return name === "" || name.startsWith("amq.");
}

function label({ op, vhost, name }: RabbitAction): string {
  const what = op === "delete-exchange" ? "exchange" : "queue";
  const shown = name === "" ? "(AMQP default)" : `'${name}'`;
  return `${what} ${shown}${vhost === "/" ? "" : ` in vhost '${vhost}'`}`;
}

const VERB = { purge: "purge", "delete-queue": "delete", "delete-exchange": "delete" } as const;

const error = (state: AppState, text: string): AppState => ({
  ...state,
  message: { text, level: "error" },
});

/** The queue or exchange so named, in the vhost the panel saw it in ("/" first, else "/"). */
export function namedAction(
  state: AppState,
  op: RabbitAction["op"],
  name: string,
): RabbitAction {
  const rows = (op === "delete-exchange" ? state.rabbit.data?.exchanges : state.rabbit.data?.queues)
    ?.filter((r) => r.name === name) ?? [];
  const vhost = rows.find((r) => r.vhost === "/")?.vhost ?? rows[0]?.vhost ?? "/";
  return { op, vhost, name };
}

/** P (purge) or D (delete) on the RabbitMQ panel: the selected queue or exchange. */
export function selectedAction(state: AppState, verb: "purge" | "delete"): AppState | undefined {
  const r = state.rabbit;
  if (r.table !== "queues" && r.table !== "exchanges") return undefined;
  if (state.readOnly) return { ...state, message: readOnlyRefusal(`:${verb}`) };
  if (verb === "purge" && r.table !== "queues") {
    return error(state, "P purges a queue: select one in the queues table");
  }
  const rows = visibleRows(r, r.table, state.filters.rabbitmq);
  const row = rows[Math.min(r.selected[r.table], rows.length - 1)];
  if (!row) {
    return { ...state, message: { text: `no ${r.table.slice(0, -1)} selected`, level: "info" } };
  }
  const op = verb === "purge" ? "purge" : r.table === "queues" ? "delete-queue" : "delete-exchange";
  return askAction(state, { op, vhost: row.vhost, name: row.name });
}

/** The confirmation before a purge or delete, or the one line that refuses it. */
export function askAction(state: AppState, action: RabbitAction): AppState {
  const verb = VERB[action.op];
  if (state.readOnly) return { ...state, message: readOnlyRefusal(`:${verb}`) };
  if (state.broker === undefined) {
    return error(state, `:${verb} works in the live dashboard, on its broker`);
  }
  if (action.op === "delete-exchange" && isProtectedExchange(action.name)) {
    return error(
      state,
      `cannot delete ${label(action)}: the default exchange and amq.* belong to the broker ` +
        "(RabbitMQ refuses too)",
    );
  }
  return {
    ...state,
    message: undefined,
    overlay: { kind: "confirm", message: question(state, action), command: action },
  };
}

function question(state: AppState, action: RabbitAction): string {
  const data = state.rabbit.data;
  const queue = data?.queues.find((q) => q.vhost === action.vhost && q.name === action.name);
  const exchange = data?.exchanges.find((x) => x.vhost === action.vhost && x.name === action.name);
  const what = label(action);
  switch (action.op) {
    case "purge":
      return `Purge ${what}? It deletes its ` +
        (queue ? plural(queue.ready, "ready message") : "ready messages") +
        "; those delivered and not yet acknowledged stay.";
    case "delete-queue":
      return `Delete ${what}? It loses ` +
        (queue
          ? `${plural(queue.ready + queue.unacked, "message")} and cancels ` +
            `${plural(queue.consumers, "consumer")}.`
          : "its messages and cancels its consumers.");
    case "delete-exchange": {
      const bindings = exchange ? bindingsOf(state.rabbit, "exchanges", exchange).length : 0;
      return `Delete ${what}? It removes ${plural(bindings, "binding")}; ` +
        "publishing to it then fails with 404.";
    }
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `y` on the question: the run loop performs it. */
export function confirmAction(state: AppState, action: RabbitAction): AppState {
  const doing = action.op === "purge" ? "purging" : "deleting";
  return {
    ...state,
    rabbit: { ...state.rabbit, actionRequest: action },
    message: { text: `${doing} ${label(action)}...`, level: "info" },
  };
}

/** The broker's answer, in one line. */
export function actionDone(state: AppState, result: RabbitActionResult): AppState {
  const what = label(result.action);
  const text = result.ok
    ? `${result.action.op === "purge" ? "purged" : "deleted"} ${what}`
    : `could not ${VERB[result.action.op]} ${what}: ${result.error}`;
  return { ...state, message: { text, level: result.ok ? "info" : "error" } };
}
