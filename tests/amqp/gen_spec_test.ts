import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import {
  buildSpec,
  DEFAULT_SPEC,
  parseXml,
  RABBITMQ_EXTENSIONS,
  renderSpec,
} from "../../scripts/gen_spec.ts";
import { METHODS, REPLY_CODES } from "../../src/amqp/spec.ts";

const specAvailable = (() => {
  try {
    Deno.statSync(DEFAULT_SPEC);
    return true;
  } catch {
    return false;
  }
})();

Deno.test("parseXml() reads elements, attributes, entities and skips comments", () => {
  const doc = parseXml(`<?xml version="1.0"?>
    <!-- a <comment> with <tags/> -->
    <amqp major="0">
      <constant name="a&amp;b" value='1'/>
      <class name="c"><method name="m">text is ignored</method></class>
    </amqp>`);
  assertEquals(doc.children, [{
    name: "amqp",
    attrs: { major: "0" },
    children: [
      { name: "constant", attrs: { name: "a&b", value: "1" }, children: [] },
      {
        name: "class",
        attrs: { name: "c" },
        children: [{ name: "method", attrs: { name: "m" }, children: [] }],
      },
    ],
  }]);
});

Deno.test("parseXml() rejects mismatched and unclosed tags", () => {
  assertThrows(() => parseXml("<a><b></a>"), SyntaxError);
  assertThrows(() => parseXml("<a>"), SyntaxError);
  assertThrows(() => parseXml("<a x=1/>"), SyntaxError);
  assertThrows(() => parseXml("<!-- never closed"), SyntaxError);
});

Deno.test("buildSpec() resolves domains to primitive types and camel-cases names", () => {
  const spec = buildSpec([parseXml(`<amqp major="0" minor="9" revision="1">
    <domain name="queue-name" type="shortstr"/>
    <domain name="alias" type="queue-name"/>
    <class name="queue" index="50">
      <method name="declare" synchronous="1" index="10">
        <field name="reserved-1" type="short" reserved="1"/>
        <field name="queue" domain="alias"/>
        <field name="no-wait" domain="bit"/>
      </method>
    </class>
  </amqp>`)]);
  assertEquals(spec.methods, [{
    classId: 50,
    methodId: 10,
    name: "queue.declare",
    synchronous: true,
    content: false,
    fields: [
      { name: "reserved1", type: "short", reserved: true },
      { name: "queue", type: "shortstr", reserved: false },
      { name: "noWait", type: "bit", reserved: false },
    ],
  }]);
});

Deno.test("renderSpec() types each method's arguments as the codec decodes them", () => {
  const spec = buildSpec([parseXml(`<amqp major="0" minor="9" revision="1">
    <class name="basic" index="60">
      <method name="ack" index="80">
        <field name="delivery-tag" type="longlong"/>
        <field name="multiple" type="bit"/>
      </method>
      <method name="m" index="1">
        <field name="key" type="shortstr"/>
        <field name="body" type="longstr"/>
        <field name="args" type="table"/>
        <field name="n" type="short"/>
      </method>
      <method name="empty" index="2"/>
    </class>
  </amqp>`)]);
  const out = renderSpec(spec, "test.xml");
  const lines = out.split("\n").filter((l) => l.startsWith('  "basic.'));
  assertEquals(lines, [
    '  "basic.m": { key: string; body: Uint8Array; args: FieldTable; n: number };',
    '  "basic.empty": Record<string, never>;',
    '  "basic.ack": { deliveryTag: number | bigint; multiple: boolean };',
  ]);
});

Deno.test("buildSpec() rejects a field whose domain does not resolve", () => {
  assertThrows(
    () =>
      buildSpec([parseXml(`<amqp><class name="x" index="1"><method name="m" index="1">
        <field name="f" domain="nowhere"/></method></class></amqp>`)]),
    /no resolvable type/,
  );
});

Deno.test({
  name: specAvailable
    ? "src/amqp/spec.ts is what gen_spec.ts generates from the installed spec"
    : "src/amqp/spec.ts is what gen_spec.ts generates (skipped: amqp-specs not installed)",
  ignore: !specAvailable,
  fn: async () => {
    const docs = [parseXml(await Deno.readTextFile(DEFAULT_SPEC)), parseXml(RABBITMQ_EXTENSIONS)];
    const expected = renderSpec(buildSpec(docs), DEFAULT_SPEC);
    const committed = await Deno.readTextFile(new URL("../../src/amqp/spec.ts", import.meta.url));
    assertEquals(committed, expected);
  },
});

Deno.test("the generated table has unique ids and the spec's soft/hard error classes", () => {
  const ids = new Set(METHODS.map((m) => `${m.classId}/${m.methodId}`));
  assertEquals(ids.size, METHODS.length);
  assertEquals(REPLY_CODES.get(404)?.kind, "soft");
  assertEquals(REPLY_CODES.get(312)?.kind, "soft");
  assertEquals(REPLY_CODES.get(320)?.kind, "hard");
  assertEquals(REPLY_CODES.get(501)?.name, "FRAME_ERROR");
  assertEquals(REPLY_CODES.get(200), undefined);
  assertEquals(METHODS.filter((m) => m.content).map((m) => m.name), [
    "basic.publish",
    "basic.return",
    "basic.deliver",
    "basic.get-ok",
  ]);
});
