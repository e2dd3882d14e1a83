/**
 * The broker in the status bar and the management API banner, drawn from
 * fixtures: kind and version, the URL with its password hidden, the API's
 * state, the reconnect countdown, the fix when the API cannot be reached.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type BrokerStatus, initialBrokerStatus } from "../../src/app/broker_status.ts";
import { initialState } from "../../src/app/model.ts";
import { COLOR_STYLES } from "../../src/app/theme.ts";
import { update } from "../../src/app/update.ts";
import { view } from "../../src/app/view.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import { renderToGrid } from "../tui/support/grid.ts";

const theme = { symbols: symbolsFor(true), styles: COLOR_STYLES };

function screen(status: BrokerStatus, panel: "overview" | "rabbitmq" = "overview", width = 80) {
  const state = update(initialState({ panel, width, height: 24 }), { type: "broker", status });
  return renderToGrid((buf) => view(state, buf, theme), width, 24);
}

const rabbit: BrokerStatus = {
  ...initialBrokerStatus(
    "external",
    "amqp://guest:s3cret@127.0.0.1:5672",
    "http://guest:s3cret@127.0.0.1:15672",
  ),
  product: "RabbitMQ",
  version: "3.13.7",
  amqp: { state: "up" },
  mgmt: { state: "ok" },
};

Deno.test("the status bar shows kind and version, the URL without its password, the API state", () => {
  const rows = screen(rabbit);
  assertEquals(
    rows[23],
    "? help │ q quit       RabbitMQ 3.13.7 │ amqp://guest:***@127.0.0.1:5672 │ api ok",
  );
  assert(rows.every((r) => !r.includes("s3cret")));
  // A wide terminal keeps every key beside the broker.
  const wide = screen(rabbit, "overview", 140)[23]!;
  assert(wide.startsWith("? help │ : command │ Tab panels │ q quit"), wide);
  assert(wide.endsWith("RabbitMQ 3.13.7 │ amqp://guest:***@127.0.0.1:5672 │ api ok"), wide);
});

Deno.test("the embedded broker says so; a lost broker counts down to its reconnect", () => {
  const embedded = { ...rabbit, kind: "embedded" as const, product: "warren", version: "0.1.0" };
  assert(screen(embedded)[23]!.includes("embedded 0.1.0 │ amqp://guest:***@127.0.0.1:5672"));
  const lost: BrokerStatus = {
    ...rabbit,
    amqp: { state: "reconnecting", inS: 4, error: "connect ECONNREFUSED 127.0.0.1:5672" },
  };
  assert(screen(lost)[23]!.endsWith("RabbitMQ 3.13.7 │ reconnecting in 4s │ api ok"));
  const panel = screen(lost, "rabbitmq").slice(2, 22).map((r) => r.slice(2, -2).trim()).join(" ");
  assert(panel.includes("ECONNREFUSED 127.0.0.1:5672; reconnecting in 4s"), panel);
});

Deno.test("an unreachable management API: a banner with the fix, and the reason, wrapped whole", () => {
  const status: BrokerStatus = {
    ...rabbit,
    mgmt: { state: "unreachable", error: "Connection refused (os error 111)" },
  };
  const rows = screen(status, "rabbitmq");
  assertEquals(
    rows[22],
    "└─ no management API: rabbitmq-plugins enable rabbitmq_management ─────────────┘",
  );
  assert(rows[23]!.endsWith("│ api unreachable"));
  const text = rows.slice(2, 22).map((r) => r.slice(2, -2).trim()).join(" ");
  assert(
    text.includes(
      "management API unreachable at http://127.0.0.1:15672 (Connection refused (os error 111)); " +
        "on RabbitMQ: rabbitmq-plugins enable rabbitmq_management",
    ),
    text,
  );
  // No banner while the API answers.
  assert(!screen(rabbit, "rabbitmq")[22]!.includes("rabbitmq-plugins"));
});

Deno.test("a broker that is down takes its API with it: no plugin advice, the reconnect instead", () => {
  const down: BrokerStatus = {
    ...rabbit,
    amqp: { state: "reconnecting", inS: 2, error: "connect ECONNREFUSED 127.0.0.1:5672" },
    mgmt: { state: "unreachable", error: "Connection refused (os error 111)" },
  };
  for (const panel of ["overview", "rabbitmq"] as const) {
    const rows = screen(down, panel);
    assert(rows.every((r) => !r.includes("rabbitmq-plugins")), rows.join("\n"));
    assert(rows[23]!.endsWith("│ reconnecting in 2s │ api unreachable"), rows[23]!);
  }
});

Deno.test("a long URL (a vhost's) loses its scheme and user, then its end; the API state and ? help stay", () => {
  const long: BrokerStatus = {
    ...rabbit,
    url: "amqp://guest:***@127.0.0.1:5672/warren-mqlab-mx44iwwu-1m804tr",
  };
  const bar = screen(long)[23]!;
  assertEquals(
    bar,
    "? help │ q quit RabbitMQ 3.13.7 │ 127.0.0.1:5672/warren-mqlab-mx44iwwu… │ api ok",
  );
  // Wide enough: the URL whole.
  assert(
    screen(long, "overview", 120)[23]!.includes("5672/warren-mqlab-mx44iwwu-1m804tr │ api ok"),
  );
});
