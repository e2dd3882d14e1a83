/**
 * Generates `src/amqp/spec.ts` from RabbitMQ's extended AMQP 0-9-1 definition
 * (Debian package `amqp-specs`), so the method table comes from the spec and
 * not from memory. Run with `deno task gen-spec`; the output is committed so
 * nothing at run time needs the package.
 *
 * The XML is read with the small tokenizer below (no dependencies): the spec
 * uses only elements, attributes, comments and the XML declaration.
 */

export const DEFAULT_SPEC = "/usr/share/amqp/specs/0-9-1-rabbit/amqp0-9-1.stripped.extended.xml";
const DEFAULT_OUT = new URL("../src/amqp/spec.ts", import.meta.url);

/**
 * What RabbitMQ speaks beyond the Debian "stripped extended" file. RabbitMQ
 * generates its own framing from `amqp-rabbitmq-0.9.1.json`, which also has
 * these; the stripped XML lacks them. Written in the same XML shape so they go
 * through the same code path, and listed here (not hand-coded per method).
 * access.request (deprecated, 0-8 era) is still answered by RabbitMQ 3.10 with
 * request-ok{ticket = 1}: checked against a live broker.
 */
export const RABBITMQ_EXTENSIONS = `
<amqp>
  <constant name="no-route" value="312" class="soft-error"/>
  <class name="connection" index="10">
    <method name="blocked" index="60">
      <field name="reason" domain="shortstr"/>
    </method>
    <method name="unblocked" index="61"/>
    <method name="update-secret" synchronous="1" index="70">
      <field name="new-secret" domain="longstr"/>
      <field name="reason" domain="shortstr"/>
    </method>
    <method name="update-secret-ok" synchronous="1" index="71"/>
  </class>
  <class name="access" index="30">
    <method name="request" synchronous="1" index="10">
      <field name="realm" domain="shortstr"/>
      <field name="exclusive" domain="bit"/>
      <field name="passive" domain="bit"/>
      <field name="active" domain="bit"/>
      <field name="write" domain="bit"/>
      <field name="read" domain="bit"/>
    </method>
    <method name="request-ok" synchronous="1" index="11">
      <field name="ticket" domain="short"/>
    </method>
  </class>
</amqp>`;

/** RabbitMQ (and every client) calls the 14th basic property `cluster-id`; the spec calls it `reserved`. */
const PROPERTY_RENAMES: Record<string, string> = { reserved: "cluster-id" };

// ---------------------------------------------------------------------------
// XML tokenizer
// ---------------------------------------------------------------------------

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ent: string) => {
    if (ent.startsWith("#x")) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith("#")) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    return ENTITIES[ent] ?? whole;
  });
}

/** Parses the subset of XML the spec uses into an element tree; text is ignored. */
export function parseXml(src: string): XmlElement {
  const root: XmlElement = { name: "#document", attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  let i = 0;
  const fail = (msg: string): never => {
    const line = src.slice(0, i).split("\n").length;
    throw new SyntaxError(`XML line ${line}: ${msg}`);
  };
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    if (lt < 0) break;
    i = lt;
    if (src.startsWith("<!--", i)) {
      const end = src.indexOf("-->", i + 4);
      if (end < 0) fail("unterminated comment");
      i = end + 3;
    } else if (src.startsWith("<?", i)) {
      const end = src.indexOf("?>", i + 2);
      if (end < 0) fail("unterminated declaration");
      i = end + 2;
    } else if (src.startsWith("<!", i)) {
      const end = src.indexOf(">", i + 2);
      if (end < 0) fail("unterminated <! ... >");
      i = end + 1;
    } else if (src.startsWith("</", i)) {
      const end = src.indexOf(">", i);
      if (end < 0) fail("unterminated end tag");
      const name = src.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0) {
        fail(`</${name}> does not close <${open?.name}>`);
      }
      i = end + 1;
    } else {
      i++;
      const nameMatch = /^[A-Za-z_][\w.:-]*/.exec(src.slice(i, i + 200));
      if (!nameMatch) fail("bad tag name");
      const el: XmlElement = { name: nameMatch![0], attrs: {}, children: [] };
      i += el.name.length;
      let selfClosing = false;
      for (;;) {
        while (/\s/.test(src[i] ?? "")) i++;
        const c = src[i];
        if (c === undefined) fail("unterminated tag");
        if (c === ">") {
          i++;
          break;
        }
        if (c === "/" && src[i + 1] === ">") {
          selfClosing = true;
          i += 2;
          break;
        }
        const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(
          src.slice(i, i + 4096),
        );
        if (!attr) fail(`bad attribute in <${el.name}>`);
        el.attrs[attr![1]!] = decodeEntities(attr![3] ?? attr![4] ?? "");
        i += attr![0].length;
      }
      stack[stack.length - 1]!.children.push(el);
      if (!selfClosing) stack.push(el);
    }
  }
  if (stack.length !== 1) fail(`<${stack[stack.length - 1]!.name}> is never closed`);
  return root;
}

// ---------------------------------------------------------------------------
// Spec model
// ---------------------------------------------------------------------------

const PRIMITIVES = new Set([
  "octet",
  "short",
  "long",
  "longlong",
  "shortstr",
  "longstr",
  "bit",
  "table",
  "timestamp",
]);

interface FieldSpec {
  name: string;
  type: string;
  reserved: boolean;
}

interface MethodSpec {
  classId: number;
  methodId: number;
  name: string;
  synchronous: boolean;
  content: boolean;
  fields: FieldSpec[];
}

interface ConstantSpec {
  name: string;
  value: number;
  errorClass: "soft-error" | "hard-error" | undefined;
}

interface Spec {
  version: string;
  constants: ConstantSpec[];
  classes: { name: string; id: number }[];
  methods: MethodSpec[];
  properties: FieldSpec[];
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function upperSnake(name: string): string {
  return name.replace(/-/g, "_").toUpperCase();
}

function kids(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

function mustInt(el: XmlElement, attr: string): number {
  const v = el.attrs[attr];
  if (v === undefined || !/^\d+$/.test(v)) {
    throw new Error(`<${el.name} name="${el.attrs.name}"> needs a numeric ${attr}`);
  }
  return Number(v);
}

/** Reads the spec (plus extension documents) into one model. */
export function buildSpec(docs: XmlElement[]): Spec {
  const domains = new Map<string, string>();
  const spec: Spec = { version: "", constants: [], classes: [], methods: [], properties: [] };
  const roots = docs.map((d) => {
    const amqp = kids(d, "amqp")[0];
    if (!amqp) throw new Error("no <amqp> root element");
    return amqp;
  });
  const main = roots[0]!;
  spec.version = `${main.attrs.major}-${main.attrs.minor}-${main.attrs.revision}`;
  for (const amqp of roots) {
    for (const d of kids(amqp, "domain")) domains.set(d.attrs.name!, d.attrs.type!);
  }
  const resolve = (f: XmlElement): string => {
    let t = f.attrs.type ?? f.attrs.domain;
    for (let hops = 0; t !== undefined && !PRIMITIVES.has(t); hops++) {
      if (hops > 10) throw new Error(`domain loop at ${t}`);
      t = domains.get(t);
    }
    if (t === undefined) throw new Error(`field ${f.attrs.name} has no resolvable type`);
    return t;
  };
  const field = (f: XmlElement): FieldSpec => ({
    name: camel(f.attrs.name!),
    type: resolve(f),
    reserved: f.attrs.reserved === "1",
  });

  for (const amqp of roots) {
    for (const c of kids(amqp, "constant")) {
      const cls = c.attrs.class;
      if (spec.constants.some((k) => k.name === c.attrs.name)) continue;
      spec.constants.push({
        name: c.attrs.name!,
        value: mustInt(c, "value"),
        errorClass: cls === "soft-error" || cls === "hard-error" ? cls : undefined,
      });
    }
    for (const c of kids(amqp, "class")) {
      const classId = mustInt(c, "index");
      if (!spec.classes.some((k) => k.id === classId)) {
        spec.classes.push({ name: c.attrs.name!, id: classId });
      }
      if (c.attrs.name === "basic") {
        spec.properties = kids(c, "field").map((f) => {
          const p = field(f);
          const renamed = PROPERTY_RENAMES[f.attrs.name!];
          return renamed ? { ...p, name: camel(renamed) } : p;
        });
      }
      for (const m of kids(c, "method")) {
        const methodId = mustInt(m, "index");
        const name = `${c.attrs.name}.${m.attrs.name}`;
        if (spec.methods.some((k) => k.classId === classId && k.methodId === methodId)) {
          throw new Error(`duplicate method id ${classId}/${methodId} (${name})`);
        }
        spec.methods.push({
          classId,
          methodId,
          name,
          synchronous: m.attrs.synchronous === "1",
          content: m.attrs.content === "1",
          fields: kids(m, "field").map(field),
        });
      }
    }
  }
  spec.methods.sort((a, b) => a.classId - b.classId || a.methodId - b.methodId);
  spec.classes.sort((a, b) => a.id - b.id);
  return spec;
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/**
 * The TypeScript type the codec decodes each primitive to (src/amqp/method.ts
 * says why longstr stays bytes and longlong may be a bigint).
 */
const DECODED_TYPES: Record<string, string> = {
  octet: "number",
  short: "number",
  long: "number",
  longlong: "number | bigint",
  timestamp: "number | bigint",
  shortstr: "string",
  longstr: "Uint8Array",
  bit: "boolean",
  table: "FieldTable",
};

/** A method's argument record as a TypeScript type, one property per field. */
function renderArgsType(fields: FieldSpec[]): string {
  // No fields: an index signature of never, so passing any argument is a type error.
  if (fields.length === 0) return "Record<string, never>";
  return "{ " + fields.map((f) => {
    const t = DECODED_TYPES[f.type];
    if (t === undefined) throw new Error(`no TypeScript type for field type ${f.type}`);
    return `${f.name}: ${t}`;
  }).join("; ") + " }";
}

function renderFields(fields: FieldSpec[]): string {
  if (fields.length === 0) return "[]";
  return "[" +
    fields.map((f) =>
      `{ name: ${JSON.stringify(f.name)}, type: ${JSON.stringify(f.type)}${
        f.reserved ? ", reserved: true" : ""
      } }`
    ).join(", ") + "]";
}

export function renderSpec(spec: Spec, source: string): string {
  const out: string[] = [];
  out.push(
    "// Generated by scripts/gen_spec.ts — do not edit.",
    `// Source: ${source}`,
    "// plus RabbitMQ's extensions listed in scripts/gen_spec.ts (RABBITMQ_EXTENSIONS).",
    "// Regenerate with `deno task gen-spec`.",
    "",
    'import type { FieldTable } from "./field_table_type.ts";',
    "",
    `/** AMQP version this table describes. */`,
    `export const AMQP_VERSION = ${JSON.stringify(spec.version)};`,
    "",
    "// Constants: frame types, sizes and reply codes.",
  );
  for (const c of spec.constants) out.push(`export const ${upperSnake(c.name)} = ${c.value};`);
  out.push(
    "",
    "/** Whether a reply code closes the channel (soft) or the whole connection (hard). */",
    'export type ErrorKind = "soft" | "hard";',
    "",
    "export interface ReplyCode {",
    "  code: number;",
    "  /** Spec name in upper snake case, e.g. `NOT_FOUND` (what RabbitMQ puts in reply-text). */",
    "  name: string;",
    "  kind: ErrorKind;",
    "}",
    "",
    "/** Error reply codes by number, with their soft/hard class from the spec. */",
    "export const REPLY_CODES: ReadonlyMap<number, ReplyCode> = new Map([",
  );
  for (const c of spec.constants.filter((k) => k.errorClass)) {
    const kind = c.errorClass === "soft-error" ? "soft" : "hard";
    out.push(
      `  [${c.value}, { code: ${c.value}, name: ${
        JSON.stringify(upperSnake(c.name))
      }, kind: "${kind}" }],`,
    );
  }
  out.push(
    "]);",
    "",
    "/** Primitive wire types a method field or property can have. */",
    "export type FieldType =",
    ...[...PRIMITIVES].map((p, i, all) =>
      `  | ${JSON.stringify(p)}${i === all.length - 1 ? ";" : ""}`
    ),
    "",
    "export interface FieldDef {",
    "  /** camelCase of the spec name, e.g. `routingKey`, `reserved1`. */",
    "  name: string;",
    "  type: FieldType;",
    "  /** Reserved by the spec: always sent as the type's default. */",
    "  reserved?: boolean;",
    "}",
    "",
    "export interface MethodDef {",
    "  classId: number;",
    "  methodId: number;",
    '  /** `class.method`, e.g. `"queue.declare"`. */',
    "  name: string;",
    "  synchronous: boolean;",
    "  /** Followed by a content header and body frames (publish, deliver, return, get-ok). */",
    "  content: boolean;",
    "  fields: readonly FieldDef[];",
    "}",
    "",
    "/** Class ids by class name. */",
    "export const CLASS_IDS = {",
  );
  for (const c of spec.classes) out.push(`  ${c.name}: ${c.id},`);
  out.push(
    "} as const;",
    "",
    "/** Every method, ordered by class id then method id. */",
    "export const METHODS: readonly MethodDef[] = [",
  );
  for (const m of spec.methods) {
    out.push(
      `  { classId: ${m.classId}, methodId: ${m.methodId}, name: ${
        JSON.stringify(m.name)
      }, synchronous: ${m.synchronous}, content: ${m.content}, fields: ${
        renderFields(m.fields)
      } },`,
    );
  }
  out.push(
    "];",
    "",
    "/** Every method name, for callers that want the compiler to check them. */",
    "export type MethodName =",
    ...spec.methods.map((m, i, all) =>
      `  | ${JSON.stringify(m.name)}${i === all.length - 1 ? ";" : ""}`
    ),
    "",
    "/** Methods followed by a content header and body frames. */",
    "export type ContentMethodName =",
    ...spec.methods.filter((m) => m.content).map((m, i, all) =>
      `  | ${JSON.stringify(m.name)}${i === all.length - 1 ? ";" : ""}`
    ),
    "",
    "/**",
    " * Each method's arguments as the codec decodes them (reserved fields included),",
    " * so a switch on the method name gives every argument its wire type.",
    " */",
    "export interface MethodArgs {",
    ...spec.methods.map((m) => `  ${JSON.stringify(m.name)}: ${renderArgsType(m.fields)};`),
    "}",
    "",
    "export interface PropertyDef extends FieldDef {",
    "  /** Bit in the 16-bit property-flags word (15 = first property; bit 0 is the continuation bit). */",
    "  flag: number;",
    "}",
    "",
    "/** The basic class's content properties in wire order. */",
    "export const BASIC_PROPERTIES: readonly PropertyDef[] = [",
  );
  spec.properties.forEach((p, i) => {
    out.push(
      `  { name: ${JSON.stringify(p.name)}, type: ${JSON.stringify(p.type)}, flag: 0x${
        (1 << (15 - i)).toString(16)
      } },`,
    );
  });
  out.push("];", "");
  return out.join("\n");
}

async function main(args: string[]): Promise<void> {
  const specPath = args[0] ?? DEFAULT_SPEC;
  const outPath = args[1] ?? DEFAULT_OUT;
  const docs = [parseXml(await Deno.readTextFile(specPath)), parseXml(RABBITMQ_EXTENSIONS)];
  const spec = buildSpec(docs);
  if (spec.properties.length > 15) {
    throw new Error("more than 15 properties needs flag continuation words");
  }
  await Deno.writeTextFile(outPath, renderSpec(spec, specPath));
  console.log(
    `wrote ${
      outPath instanceof URL ? outPath.pathname : outPath
    }: ${spec.methods.length} methods, ${spec.constants.length} constants, ${spec.properties.length} properties`,
  );
}

if (import.meta.main) {
  await main(Deno.args);
}
