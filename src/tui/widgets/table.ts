/**
 * A table: a header row (with a sort indicator on the sorted column), rows
 * cut to column widths, the selected row highlighted, and a scroll window
 * that keeps the selection visible. Filtering and sorting are done by the
 * caller (helpers below) so the table shows exactly the rows it is given.
 */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import { type Constraint, splitLength } from "../layout.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { padToWidth, stringWidth, truncateToWidth } from "../width.ts";
import { scrollOffset, type SelectionState } from "./selection.ts";

export interface TableColumn {
  title: string;
  width: Constraint;
  align?: "left" | "right";
}

export interface TableProps {
  columns: readonly TableColumn[];
  rows: readonly (readonly string[])[];
  sort?: { column: number; descending?: boolean };
  symbols?: Symbols;
  /** Default: bold. */
  headerStyle?: Style;
  /** Default: reverse video. */
  selectedStyle?: Style;
  /** Per-row style (e.g. red for a failed task), merged under the selection style. */
  rowStyle?: (row: readonly string[], index: number) => Style | undefined;
  /** Cells between columns; default 1. */
  columnGap?: number;
  /** Shown instead of rows when there are none (e.g. "no match for 'x'"). */
  emptyText?: string;
}

export type TableState = SelectionState;

export interface TableRender {
  /** The first row shown (store it back in the state to keep the window steady). */
  offset: number;
  /** Rows that fit under the header: the page size for PgUp/PgDn. */
  visibleRows: number;
}

export function renderTable(
  buf: ScreenBuffer,
  rect: Rect,
  props: TableProps,
  state: TableState = { selected: null, offset: 0 },
): TableRender {
  const symbols = props.symbols ?? symbolsFor(true);
  const gap = props.columnGap ?? 1;
  const visibleRows = Math.max(0, rect.height - 1);
  if (rect.width <= 0 || rect.height <= 0) return { offset: 0, visibleRows };
  const n = props.columns.length;
  const widths = splitLength(
    Math.max(0, rect.width - gap * (n - 1)),
    props.columns.map((c) => c.width),
  );
  const xs: number[] = [];
  let cx = rect.x;
  for (const w of widths) {
    xs.push(cx);
    cx += w + gap;
  }
  const headerStyle = props.headerStyle ?? { bold: true };
  props.columns.forEach((col, i) => {
    if (props.sort?.column !== i) {
      const title = truncateToWidth(col.title, widths[i]!, symbols.ellipsis);
      buf.setString(
        xs[i]!,
        rect.y,
        padToWidth(title, widths[i]!, { align: col.align }),
        headerStyle,
      );
      return;
    }
    const arrow = props.sort.descending ? symbols.sortDescending : symbols.sortAscending;
    const { x, text } = sortedHeader(col, arrow, xs[i]!, widths[i]!, i > 0 ? gap : 0, symbols);
    buf.setString(x, rect.y, text, headerStyle);
  });
  if (props.rows.length === 0) {
    if (props.emptyText && rect.height > 1) {
      buf.setString(rect.x, rect.y + 1, props.emptyText, { dim: true }, rect.width);
    }
    return { offset: 0, visibleRows };
  }
  const offset = scrollOffset(state.offset, state.selected, visibleRows, props.rows.length);
  const end = Math.min(props.rows.length, offset + visibleRows);
  for (let r = offset; r < end; r++) {
    const row = props.rows[r]!;
    const y = rect.y + 1 + r - offset;
    const rowStyle = props.rowStyle?.(row, r);
    if (rowStyle) buf.setStyle({ x: rect.x, y, width: rect.width, height: 1 }, rowStyle);
    props.columns.forEach((col, i) => {
      const text = padToWidth(row[i] ?? "", widths[i]!, {
        align: col.align,
        ellipsis: symbols.ellipsis,
      });
      buf.setString(xs[i]!, y, text, undefined, widths[i]);
    });
    if (r === state.selected) {
      buf.setStyle(
        { x: rect.x, y, width: rect.width, height: 1 },
        props.selectedStyle ?? { reverse: true },
      );
    }
  }
  return { offset, visibleRows };
}

/** The rows with any cell containing `query` (case-insensitive); all rows for an empty query. */
export function filterRows<T extends readonly string[]>(rows: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (q === "") return rows.slice();
  return rows.filter((row) => row.some((cell) => cell.toLowerCase().includes(q)));
}

/**
 * The sorted column's title with its arrow, whole: `title ▲` when it fits;
 * else `title▲` reaching into the blank gap before the column (a right-aligned
 * title ends at the column's edge, so its header has no room of its own);
 * only when even that is too narrow is the title cut, never the arrow.
 */
function sortedHeader(
  col: TableColumn,
  arrow: string,
  x: number,
  width: number,
  gap: number,
  symbols: Symbols,
): { x: number; text: string } {
  const spaced = `${col.title} ${arrow}`;
  if (stringWidth(spaced) <= width) {
    return { x, text: padToWidth(spaced, width, { align: col.align }) };
  }
  const tight = col.title + arrow;
  const over = stringWidth(tight) - width;
  if (over <= gap) return { x: x - over, text: tight };
  const title = truncateToWidth(col.title, width - stringWidth(arrow), symbols.ellipsis);
  return { x, text: padToWidth(title + arrow, width, { align: col.align }) };
}

/**
 * The rows sorted by one column: numerically when both cells are numbers
 * (a trailing unit like "12 ms" or "3%" is allowed), as text otherwise. Stable.
 */
export function sortRows<T extends readonly string[]>(
  rows: readonly T[],
  column: number,
  descending = false,
): T[] {
  const num = (s: string) => {
    const m = /^\s*(-?\d+(?:\.\d+)?)(?:\s*\S*)?$/.exec(s);
    return m ? Number(m[1]) : NaN;
  };
  const sign = descending ? -1 : 1;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      const x = a.row[column] ?? "";
      const y = b.row[column] ?? "";
      const nx = num(x), ny = num(y);
      const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x.localeCompare(y);
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map(({ row }) => row);
}
