/**
 * The dashboard's panels, in tab order. A panel whose lab is not built yet
 * has a `pending` line saying what it will show, and shows nothing invented;
 * a panel with a table `/` can filter says what it filters.
 */

export const PANELS = [
  {
    id: "overview",
    title: "Overview",
  },
  {
    id: "coroutines",
    title: "Coroutines",
    filters: "tasks",
  },
  {
    id: "sockets",
    title: "Sockets",
    filters: "events (kind names such as READABLE, #N for a connection)",
  },
  {
    id: "rabbitmq",
    title: "RabbitMQ",
    filters: "rows of the focused table (any cell)",
  },
] as const;

export type PanelId = typeof PANELS[number]["id"];

export const PANEL_IDS: readonly PanelId[] = PANELS.map((p) => p.id);

/** What `/` filters on a panel ("tasks"), or undefined where there is nothing to filter. */
export function panelFilters(id: PanelId): string | undefined {
  const panel = PANELS.find((p) => p.id === id)!;
  return "filters" in panel ? panel.filters : undefined;
}

/** Finds a panel by id, title or number ("2", "coroutines", "Coroutines", "co"). */
export function findPanel(query: string): PanelId | undefined {
  const q = query.trim().toLowerCase();
  if (q === "") return undefined;
  const index = Number(q);
  if (Number.isInteger(index) && index >= 1 && index <= PANELS.length) {
    return PANELS[index - 1]!.id;
  }
  const exact = PANELS.find((p) => p.id === q);
  if (exact) return exact.id;
  const prefixed = PANELS.filter((p) => p.id.startsWith(q));
  return prefixed.length === 1 ? prefixed[0]!.id : undefined;
}
