/**
 * Keeps ARCHITECTURE.md and the code's shape true: every source file is on
 * the code map and every file the map names exists; imports only go the way
 * the map's arrows allow; `src/` has no import cycle (type-only ones
 * included); no hand-written source file is past 500 lines. The imports are
 * read from the files' text (static imports and re-exports, dynamic
 * `import()` and `new URL(..., import.meta.url)`, which is how a Worker's
 * module is named), so this needs nothing but the files themselves.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), ".."));
const MAPPED_DIRS = ["src", "bench", "scripts"];
/** Generated from RabbitMQ's spec file, so its length is the spec's, not a design choice. */
const GENERATED = new Set(["src/amqp/spec.ts"]);
const MAX_LINES = 500;

/**
 * Which folders of `src/` each folder may import (itself always). `tui` and
 * `amqp` import nothing of the project; `util` and `cli` are leaves everyone
 * else may use; nothing imports `app`. The app may import the broker's types
 * only (`import type`), never its code: the dashboard reaches a broker
 * through AMQP and the management API, as it reaches RabbitMQ.
 */
const ALLOWED: Record<string, readonly string[]> = {
  tui: [],
  amqp: [],
  util: [],
  routing: [],
  cli: ["util"],
  broker: ["amqp", "cli", "util", "routing"],
  lab: ["cli", "util"],
  app: ["tui", "lab", "cli", "util", "routing"],
};
const TYPE_ONLY: Record<string, readonly string[]> = { app: ["broker"] };
/**
 * Worker entries a folder may name by URL (`new Worker(new URL(...))`) but
 * not import: the dashboard starts the embedded broker in a Worker of its
 * own, which shares no module with the app (messages only, typed in
 * `broker/worker_protocol.ts`), so the app still reaches the broker only
 * through AMQP and the management API.
 */
const WORKER_ENTRIES: Record<string, readonly string[]> = { app: ["src/broker/worker.ts"] };

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? walk(path) : [path];
  });
}

/** The paths ARCHITECTURE.md's code map names: list items that start with a `path`. */
function mappedPaths(): string[] {
  const text = readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8");
  return [...text.matchAll(/^\s*[-*] `([^`\s]+)`/gm)].map((m) => m[1]!);
}

interface Import {
  /** Project-relative path of the imported file. */
  target: string;
  typeOnly: boolean;
  /** Named by `new URL(..., import.meta.url)`: a Worker's entry, not an import. */
  url?: true;
}

/** The text without comments, so an example in a doc comment is not read as an import. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** Every project-relative module `file` imports (npm: and node: specifiers aside). */
export function importsOf(file: string, source: string): Import[] {
  const text = withoutComments(source);
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean, url = false) => {
    if (!specifier.startsWith(".")) return;
    const target = normalize(join(dirname(file), specifier));
    found.push(url ? { target, typeOnly, url } : { target, typeOnly });
  };
  // `import ... from "x"`, `import type ... from "x"`, `export ... from "x"`, `import "x"`.
  for (const m of text.matchAll(/^(import|export)(\s+type)?\b[^;]*?\bfrom\s+"([^"]+)"/gms)) {
    add(m[3]!, m[2] !== undefined);
  }
  for (const m of text.matchAll(/^import\s+"([^"]+)"/gm)) add(m[1]!, false);
  for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) add(m[1]!, false);
  for (const m of text.matchAll(/new URL\(\s*"([^"]+\.ts)"\s*,\s*import\.meta\.url/g)) {
    add(m[1]!, false, true);
  }
  return found;
}

function srcFolder(path: string): string | undefined {
  const parts = path.split("/");
  return parts[0] === "src" && parts.length > 2 ? parts[1] : undefined;
}

const sourceFiles = walk("src").filter((f) => f.endsWith(".ts"));
const sources = new Map(sourceFiles.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));

Deno.test("every file under src/, bench/ and scripts/ is on ARCHITECTURE.md's code map", () => {
  const mapped = new Set(mappedPaths());
  const missing = MAPPED_DIRS.flatMap(walk).filter((f) => !mapped.has(f));
  assert.deepEqual(missing, [], "add a line for each of these to ARCHITECTURE.md's code map");
});

Deno.test("every path on ARCHITECTURE.md's code map exists", () => {
  const gone = mappedPaths().filter((p) => {
    try {
      statSync(join(ROOT, p));
      return false;
    } catch {
      return true;
    }
  });
  assert.deepEqual(gone, [], "ARCHITECTURE.md names files that do not exist");
});

Deno.test("imports between src/ folders go only the way ARCHITECTURE.md's arrows allow", () => {
  const crossings: string[] = [];
  for (const [file, text] of sources) {
    const from = srcFolder(file)!;
    for (const { target, typeOnly, url } of importsOf(file, text)) {
      const to = srcFolder(target);
      if (url && WORKER_ENTRIES[from]?.includes(target)) continue;
      if (to === undefined) {
        crossings.push(`${file} -> ${target} (outside src/)`);
      } else if (to !== from && !ALLOWED[from]?.includes(to)) {
        if (!(typeOnly && TYPE_ONLY[from]?.includes(to))) {
          crossings.push(`${file} -> ${target}${typeOnly ? " (type)" : ""}`);
        }
      }
    }
  }
  assert.deepEqual(crossings, []);
});

Deno.test("src/ has no import cycle, type-only imports included", () => {
  const graph = new Map<string, string[]>();
  for (const [file, text] of sources) {
    graph.set(file, importsOf(file, text).map((i) => i.target).filter((t) => sources.has(t)));
  }
  // Depth-first search; a grey node met again closes a cycle.
  const state = new Map<string, "grey" | "black">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    state.set(file, "grey");
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "grey") {
        cycles.push([...path.slice(path.indexOf(next)), next].join(" -> "));
      } else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(file, "black");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  assert.deepEqual(cycles, []);
});

Deno.test(`no hand-written source file is longer than ${MAX_LINES} lines`, () => {
  const long = [...sources]
    .filter(([file]) => !GENERATED.has(file))
    .map(([file, text]) => ({ file, lines: text.split("\n").length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES)
    .map(({ file, lines }) => `${file}: ${lines} lines`);
  assert.deepEqual(long, [], "a file past 500 lines holds two concepts: split it");
});

Deno.test("the import reader sees every form of import (so the checks above can fail)", () => {
  const text = [
    'import { a } from "../tui/a.ts";',
    'import type { B } from "../broker/b.ts";',
    "import {",
    "  c,",
    '} from "./c.ts";',
    'export { d } from "../amqp/d.ts";',
    'export type { E } from "../lab/e.ts";',
    'import "./side_effect.ts";',
    'const f = await import("../app/f.ts");',
    'new Worker(new URL("../lab/worker.ts", import.meta.url).href);',
    'import { parseArgs } from "node:util";',
    '/** `new Worker(new URL("./in_a_comment.ts", import.meta.url))` */',
    '// import { g } from "./commented_out.ts";',
  ].join("\n");
  assert.deepEqual(importsOf("src/app/x.ts", text), [
    { target: "src/tui/a.ts", typeOnly: false },
    { target: "src/broker/b.ts", typeOnly: true },
    { target: "src/app/c.ts", typeOnly: false },
    { target: "src/amqp/d.ts", typeOnly: false },
    { target: "src/lab/e.ts", typeOnly: true },
    { target: "src/app/side_effect.ts", typeOnly: false },
    { target: "src/app/f.ts", typeOnly: false },
    { target: "src/lab/worker.ts", typeOnly: false, url: true },
  ]);
});
