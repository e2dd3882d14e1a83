/**
 * Conformance: connection and channel life cycle, as RabbitMQ 3.10 does it.
 * Every case runs against the embedded broker and RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import { type BrokerCase, forEachBroker } from "./support/targets.ts";
import { Buffer } from "./support/amqplib.ts";
import { getOne } from "./support/messages.ts";
import { expectChannelClosed, expectCode } from "./support/expectations.ts";
import {
  decodeClose,
  frame,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  methodFrame,
  PROTOCOL_HEADER,
  Writer,
} from "./support/wire.ts";

const encode = (s: string) => new TextEncoder().encode(s);

forEachBroker(
  "a wrong protocol header gets the correct header back, then the socket closes",
  async (t) => {
    for (const bad of ["AMQP\x00\x00\x0a\x00", "GET / HTTP/1.1\r\n\r\n", "XYZW\x00\x00\x09\x01"]) {
      await t.step(JSON.stringify(bad), async () => {
        const raw = await t.raw();
        await raw.write(encode(bad));
        assert.deepEqual(Array.from(await raw.readBytes(8)), Array.from(PROTOCOL_HEADER), bad);
        const end = await raw.waitClosed(5000);
        assert.equal(end.eof, true, `socket closed after ${JSON.stringify(bad)}`);
      });
    }
  },
);

forEachBroker("connection.start is version 0-9 and offers PLAIN and AMQPLAIN", async (t) => {
  const raw = await t.raw();
  await raw.write(PROTOCOL_HEADER);
  const start = await raw.expectMethod(10, 10);
  assert.equal(start.channel, 0);
  assert.deepEqual([start.payload[4], start.payload[5]], [0, 9]);
  raw.close();
  const hs = await (await t.raw()).handshake();
  assert.deepEqual([...hs.mechanisms].sort(), ["AMQPLAIN", "PLAIN"]);
});

forEachBroker("server properties advertise RabbitMQ's capabilities", async (t) => {
  const c = await t.open();
  const props = c.model.connection.serverProperties as unknown as Record<string, unknown>;
  const caps = props.capabilities as Record<string, unknown>;
  for (
    const cap of [
      "publisher_confirms",
      "exchange_exchange_bindings",
      "basic.nack",
      "consumer_cancel_notify",
      "connection.blocked",
      "authentication_failure_close",
      "per_consumer_qos",
    ]
  ) {
    assert.equal(caps[cap], true, cap);
  }
  assert.equal(typeof props.product, "string");
  assert.equal(typeof props.version, "string");
});

forEachBroker(
  "connection.tune proposes channel_max 2047, frame_max 131072, heartbeat 60",
  async (t) => {
    const hs = await (await t.raw()).handshake();
    assert.deepEqual(hs.tune, { channelMax: 2047, frameMax: 131072, heartbeat: 60 });
  },
);

forEachBroker("a frame_max negotiated down by the client is enforced (501)", async (t) => {
  const raw = await t.raw();
  await raw.handshake({ tune: { frameMax: 4096 } });
  await raw.openChannel(1);
  await raw.write(frame(FRAME_METHOD, 1, new Uint8Array(5000)));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 501);
  assert.equal(end.eof, true);
});

forEachBroker("amqplib with frameMax 4096 moves a 20 kB message intact", async (t) => {
  const c = await t.open({ frameMax: 4096 });
  const ch = await c.channel();
  const q = t.queue();
  await ch.assertQueue(q);
  const body = Buffer.alloc(20_000, 0);
  for (let i = 0; i < body.length; i++) body[i] = i % 251;
  ch.sendToQueue(q, body);
  const got = await getOne(ch, q);
  assert.equal(Buffer.compare(got.content, body), 0);
});

forEachBroker("PLAIN with a wrong password is refused with 403 ACCESS_REFUSED", async (t) => {
  const raw = await t.raw();
  const err = await raw.handshake({ password: "wrong" }).then(() => "accepted", String);
  assert.match(err, /"code":403/);
  assert.match(err, /ACCESS_REFUSED/);
  await assert.rejects(t.open({ password: "wrong" }), /403|ACCESS.REFUSED/);
});

forEachBroker("AMQPLAIN logs in guest/guest and refuses a wrong password with 403", async (t) => {
  const hs = await (await t.raw()).handshake({ mechanism: "AMQPLAIN" });
  assert.equal(hs.tune.frameMax, 131072);
  const c = await t.open({ amqplain: true });
  const ch = await c.channel();
  await ch.checkExchange("amq.direct");
  const err = await (await t.raw()).handshake({ mechanism: "AMQPLAIN", password: "x" }).then(
    () => "accepted",
    String,
  );
  assert.match(err, /"code":403/);
});

forEachBroker("an unknown SASL mechanism ends the connection", async (t) => {
  const raw = await t.raw();
  await raw.write(PROTOCOL_HEADER);
  await raw.expectMethod(10, 10);
  await raw.write(methodFrame(
    0,
    10,
    11,
    new Writer().table({ capabilities: { authentication_failure_close: true } })
      .shortstr("FOO").longstr("x").shortstr("en_US").done(),
  ));
  const end = await raw.waitClosed(6000);
  assert.equal(end.eof, true);
  if (end.close) assert.notEqual(end.close.code, 200);
});

forEachBroker("connection.open of an unknown vhost fails with 530 NOT_ALLOWED", async (t) => {
  const err = await (await t.raw()).handshake({ vhost: "no-such-vhost" }).then(
    () => "opened",
    String,
  );
  assert.match(err, /"code":530/);
  assert.match(err, /NOT_ALLOWED/);
  // amqplib only reports "got ConnectionClose" here; the code is checked above.
  await assert.rejects(t.open({ vhost: "no-such-vhost" }));
});

forEachBroker("connection.close from the client is answered with close-ok", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.write(
    methodFrame(0, 10, 50, new Writer().short(200).shortstr("bye").short(0).short(0).done()),
  );
  const ok = await raw.expectMethod(10, 51);
  assert.equal(ok.channel, 0);
});

forEachBroker("a connection error is a connection.close from the server, then EOF", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(methodFrame(1, 20, 10, new Writer().shortstr("").done()));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 504, "second channel.open is CHANNEL_ERROR");
  assert.equal(end.close?.classId, 20);
  assert.equal(end.close?.methodId, 10);
  assert.equal(end.eof, true);
});

forEachBroker("a method on a channel that was never opened is 504 CHANNEL_ERROR", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.write(methodFrame(
    3,
    50,
    10,
    new Writer().short(0).shortstr("").bit(true).bit(false).bit(false).bit(false).bit(false)
      .table({}).done(),
  ));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 504);
});

forEachBroker("many channels open and close on one connection", async (t) => {
  const c = await t.open();
  const channels = await Promise.all(Array.from({ length: 50 }, () => c.channel()));
  const q = t.queue();
  await channels[0]!.assertQueue(q);
  await Promise.all(channels.map((ch) => ch.checkQueue(q)));
  await Promise.all(channels.slice(0, 25).map((ch) => ch.close()));
  // The freed channel numbers are reused.
  const again = await Promise.all(Array.from({ length: 25 }, () => c.channel()));
  await Promise.all(again.map((ch) => ch.checkQueue(q)));
  await Promise.all([...channels.slice(25), ...again].map((ch) => ch.close()));
});

forEachBroker("a channel error closes only that channel", async (t) => {
  const c = await t.open();
  const bad = await c.channel();
  const good = await c.channel();
  await expectCode(bad.checkQueue(t.name("missing")), 404);
  await expectChannelClosed(bad, 404);
  await good.checkExchange("amq.fanout");
  assert.equal(c.errors.length, 0);
});

forEachBroker(
  "channel.flow active=true is confirmed; active=false is 540 as RabbitMQ",
  async (t) => {
    const raw = await t.raw();
    await raw.handshake();
    await raw.openChannel(1);
    await raw.write(methodFrame(1, 20, 20, new Writer().bit(true).done()));
    const ok = await raw.expectMethod(20, 21);
    assert.equal(ok.payload[4], 1);
    await raw.write(methodFrame(1, 20, 20, new Writer().bit(false).done()));
    const end = await raw.waitClosed(6000);
    assert.equal(end.close?.code, 540);
  },
);

forEachBroker("channel.close from the client is answered with close-ok", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(5);
  await raw.write(
    methodFrame(5, 20, 40, new Writer().short(200).shortstr("").short(0).short(0).done()),
  );
  const ok = await raw.expectMethod(20, 41);
  assert.equal(ok.channel, 5);
  // The number can be opened again.
  await raw.openChannel(5);
});

forEachBroker("a server channel.close carries RabbitMQ-style reply text", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  const q = t.name("missing");
  // queue.declare passive
  await raw.write(methodFrame(
    1,
    50,
    10,
    new Writer().short(0).shortstr(q).bit(true).bit(false).bit(false).bit(false).bit(false)
      .table({}).done(),
  ));
  const f = await raw.expectMethod(20, 40);
  const close = decodeClose(f);
  assert.deepEqual(close, {
    code: 404,
    text: `NOT_FOUND - no queue '${q}' in vhost '/'`,
    classId: 50,
    methodId: 10,
  });
});

// --- protocol errors: which code, and connection scope -------------------------------

/** Logs in, opens channel 1, sends `bytes`, and waits for the server to end it. */
async function afterLogin(t: BrokerCase, bytes: Uint8Array) {
  const raw = await t.raw();
  await raw.handshake();
  await raw.openChannel(1);
  await raw.write(bytes);
  return await raw.waitClosed(6000);
}

forEachBroker("a method on channel 0 that belongs on a channel is 504 CHANNEL_ERROR", async (t) => {
  const raw = await t.raw();
  await raw.handshake();
  await raw.write(methodFrame(
    0,
    60,
    40,
    new Writer().short(0).shortstr("").shortstr("x").bit(false).bit(false).done(),
  ));
  const end = await raw.waitClosed(6000);
  assert.equal(end.close?.code, 504);
  assert.equal(end.eof, true);
});

forEachBroker("method arguments cut short are 501 FRAME_ERROR", async (t) => {
  const end = await afterLogin(t, methodFrame(1, 50, 10, new Writer().short(0).octet(200).done()));
  assert.equal(end.close?.code, 501);
  assert.deepEqual([end.close?.classId, end.close?.methodId], [50, 10]);
});

forEachBroker("a heartbeat frame on a non-zero channel is 505 UNEXPECTED_FRAME", async (t) => {
  const end = await afterLogin(t, frame(FRAME_HEARTBEAT, 1, new Uint8Array(0)));
  assert.equal(end.close?.code, 505);
});

forEachBroker("an unknown class or method id ends the connection", async (t) => {
  for (const [classId, methodId] of [[60, 999], [77, 10]] as const) {
    await t.step(`${classId}.${methodId}`, async () => {
      const end = await afterLogin(t, methodFrame(1, classId, methodId));
      assert.equal(end.eof, true, `${classId}.${methodId}`);
      // RabbitMQ drops the socket without a close; a close, if any, is an error.
      if (end.close) assert.ok([503, 540].includes(end.close.code), `code ${end.close.code}`);
    });
  }
});

forEachBroker("basic.recover with requeue=false is 540 NOT_IMPLEMENTED, as RabbitMQ", async (t) => {
  const end = await afterLogin(t, methodFrame(1, 60, 110, new Writer().bit(false).done()));
  assert.equal(end.close?.code, 540);
});

forEachBroker("many concurrent connections all complete the handshake", async (t) => {
  // The issue asks for a thousand; the RabbitMQ here has 1024 file
  // descriptors in all, so it is held to 500.
  const n = t.target === "embedded" ? 1000 : 500;
  const raws = await Promise.all(Array.from({ length: n }, () => t.raw()));
  const results = await Promise.allSettled(raws.map(async (raw) => {
    await raw.handshake();
    await raw.openChannel(1);
  }));
  const failed = results.filter((r) => r.status === "rejected");
  assert.equal(failed.length, 0, `${failed.length} of ${n} failed`);
  for (const raw of raws) raw.close();
  const c = await t.open();
  await (await c.channel()).checkExchange("amq.direct");
}, { timeoutMs: 30_000 });

/** Header and start-ok with `response` as PLAIN, on a fresh raw socket. */
async function startOk(t: BrokerCase, response: string) {
  const raw = await t.raw();
  await raw.write(PROTOCOL_HEADER);
  await raw.expectMethod(10, 10);
  await raw.write(methodFrame(
    0,
    10,
    11,
    new Writer().table({ capabilities: { authentication_failure_close: true } })
      .shortstr("PLAIN").longstr(response).shortstr("en_US").done(),
  ));
  return raw;
}

forEachBroker(
  "PLAIN with an authorization identity is refused: no tune, the socket is dropped",
  async (t) => {
    // RabbitMQ 3.10 refuses any authzid, even the user's own, as a malformed
    // response: no connection.close, the socket just closes (after 3 s there).
    for (const response of ["guest\0guest\0guest", "admin\0guest\0guest"]) {
      await t.step(JSON.stringify(response), async () => {
        const raw = await startOk(t, response);
        const end = await raw.waitClosed(10_000);
        assert.deepEqual(end, { eof: true, close: undefined });
      });
    }
    // The same credentials without one log in.
    const raw = await startOk(t, "\0guest\0guest");
    await raw.expectMethod(10, 30);
  },
  { timeoutMs: 30_000 },
);

/** Logs in as guest and answers connection.tune with `channelMax`, then asks to open "/". */
async function tuneOkWith(t: BrokerCase, channelMax: number) {
  const raw = await startOk(t, "\0guest\0guest");
  await raw.expectMethod(10, 30);
  await raw.write(
    methodFrame(0, 10, 31, new Writer().short(channelMax).long(131072).short(0).done()),
  );
  await raw.write(
    methodFrame(0, 10, 40, new Writer().shortstr("/").shortstr("").bit(false).done()),
  );
  return raw;
}

forEachBroker(
  "tune-ok with channel_max 0 (no limit) or above the server's 2047 fails negotiation",
  async (t) => {
    // RabbitMQ 3.10: "negotiated channel_max = 0 (no limit) is higher than the
    // maximum allowed value (2047)"; the socket closes without open-ok.
    for (const channelMax of [0, 2048]) {
      await t.step(`channel_max ${channelMax}`, async () => {
        const raw = await tuneOkWith(t, channelMax);
        const end = await raw.waitClosed(10_000);
        assert.deepEqual(end, { eof: true, close: undefined });
      });
    }
  },
  { timeoutMs: 30_000 },
);

forEachBroker(
  "channel_max limits how many channels are open: one more is 530 NOT_ALLOWED",
  async (t) => {
    const raw = await tuneOkWith(t, 2);
    await raw.expectMethod(10, 41);
    // Numbers above channel_max are fine; the count is what is limited.
    await raw.openChannel(1);
    await raw.openChannel(7);
    await raw.write(methodFrame(3, 20, 10, new Writer().shortstr("").done()));
    const end = await raw.waitClosed(5000);
    assert.deepEqual(end.close, {
      code: 530,
      text:
        "NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)",
      classId: 0,
      methodId: 0,
    });
  },
);
