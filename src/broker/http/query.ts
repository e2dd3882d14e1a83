/**
 * The query parameters RabbitMQ's list endpoints take, applied to a
 * handler's JSON: default order by vhost then name, `sort` and
 * `sort_reverse` (dotted paths), `columns` (dotted paths), and pagination
 * (`page`, `page_size` up to 500, `name` with `use_regex`) with RabbitMQ's
 * paged shape and errors. rabbitmqadmin and the management UI send them.
 */
import { HttpError } from "./router.ts";

const MAX_PAGE_SIZE = 500;

function getPath(v: unknown, path: readonly string[]): unknown {
  let at = v;
  for (const p of path) {
    if (!at || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[p];
  }
  return at;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function sortItems(items: unknown[], query: URLSearchParams): unknown[] {
  const sort = query.get("sort");
  const keys = sort ? [sort.split(".")] : [["vhost"], ["name"]];
  const sorted = [...items].sort((a, b) => {
    for (const k of keys) {
      const c = compare(getPath(a, k), getPath(b, k));
      if (c !== 0) return c;
    }
    return 0;
  });
  return query.get("sort_reverse") === "true" ? sorted.reverse() : sorted;
}

/** Keeps the listed columns; nested ones (`message_stats.publish`) keep their nesting. */
function pickColumns(item: unknown, columns: string[][]): unknown {
  if (!item || typeof item !== "object") return item;
  const out: Record<string, unknown> = {};
  for (const path of columns) {
    const value = getPath(item, path);
    if (value === undefined) continue;
    let at = out;
    for (const p of path.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1]!] = value;
  }
  return out;
}

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  return raw === null ? fallback : Number(raw);
}

function paginate(items: unknown[], query: URLSearchParams) {
  const page = intParam(query, "page", 1), size = intParam(query, "page_size", 100);
  if (![page, size].every(Number.isInteger) || page < 1 || size < 1 || size > MAX_PAGE_SIZE) {
    throw new HttpError(
      400,
      "invalid_pagination_parameters",
      `Invalid pagination parameters: page number ${page}, page size ${size}`,
    );
  }
  const name = query.get("name");
  let filtered = items;
  if (name) {
    let test: (s: string) => boolean;
    if (query.get("use_regex") === "true") {
      let re: RegExp;
      try {
        re = new RegExp(name, "i");
      } catch {
        throw new HttpError(400, "bad_request", `invalid regex '${name}'`);
      }
      test = (s) => re.test(s);
    } else test = (s) => s.toLowerCase().includes(name.toLowerCase());
    filtered = items.filter((i) => test(String(getPath(i, ["name"]) ?? "")));
  }
  const pageCount = Math.max(1, Math.ceil(filtered.length / size));
  if (page > pageCount) {
    throw new HttpError(
      400,
      "page_out_of_range",
      `Page out of range, page: ${page} page size: ${size}, len: ${filtered.length}`,
    );
  }
  const slice = filtered.slice((page - 1) * size, page * size);
  return {
    filtered_count: filtered.length,
    item_count: slice.length,
    items: slice,
    page,
    page_count: pageCount,
    page_size: size,
    total_count: items.length,
  };
}

/** A GET's result shaped by its query, as RabbitMQ shapes it. */
export function applyQuery(result: unknown, query: URLSearchParams): unknown {
  const columns = query.get("columns")?.split(",").filter(Boolean).map((c) => c.split("."));
  if (!Array.isArray(result)) {
    // A single object: RabbitMQ keeps whole top-level fields.
    if (!columns || !result || typeof result !== "object") return result;
    return pickColumns(result, columns.map((c) => c.slice(0, 1)));
  }
  const named = result.some((i) => typeof getPath(i, ["name"]) === "string");
  const items = named || query.has("sort") ? sortItems(result, query) : result;
  const pick = (list: unknown[]) => columns ? list.map((i) => pickColumns(i, columns)) : list;
  if (!query.has("page")) return pick(items);
  // The name filter reads the whole items, so columns apply to the page last.
  const paged = paginate(items, query);
  return { ...paged, items: pick(paged.items) };
}
