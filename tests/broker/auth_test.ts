import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { encodeFieldTable } from "../../src/amqp/mod.ts";
import { authenticate, isLoopback, parseSaslResponse } from "../../src/broker/auth.ts";
import { UserRegistry } from "../../src/broker/user_registry.ts";

const enc = new TextEncoder();
const users = UserRegistry.withDefaults();
users.putUser({ name: "student", password: "pw" });

Deno.test("parseSaslResponse() reads PLAIN and AMQPLAIN and rejects malformed ones", () => {
  assertEquals(parseSaslResponse("PLAIN", enc.encode("\u0000guest\u0000guest")), {
    username: "guest",
    password: "guest",
  });
  assertEquals(
    parseSaslResponse("AMQPLAIN", encodeFieldTable({ LOGIN: "student", PASSWORD: "pw" })),
    { username: "student", password: "pw" },
  );
  assertEquals(parseSaslResponse("PLAIN", enc.encode("guest:guest")), undefined);
  // An authorization identity is refused, even the user's own (as RabbitMQ).
  assertEquals(parseSaslResponse("PLAIN", enc.encode("guest\u0000guest\u0000guest")), undefined);
  assertEquals(parseSaslResponse("PLAIN", enc.encode("admin\u0000guest\u0000guest")), undefined);
  assertEquals(parseSaslResponse("AMQPLAIN", new Uint8Array([1, 2, 3])), undefined);
  assertEquals(parseSaslResponse("EXTERNAL", new Uint8Array()), undefined);
});

Deno.test("authenticate() lets guest in from loopback only and checks passwords", () => {
  const login = (username: string, password: string, from: string) => {
    const r = authenticate(users, { username, password }, from);
    return "user" in r ? r.user.name : r.refused;
  };
  assertEquals(login("guest", "guest", "127.0.0.1"), "guest");
  assertEquals(login("guest", "guest", "::1"), "guest");
  assertEquals(login("guest", "guest", "::ffff:127.0.0.1"), "guest");
  assertEquals(login("guest", "guest", "10.0.0.7"), "user 'guest' can only connect via localhost");
  assertEquals(login("guest", "wrong", "127.0.0.1"), "user 'guest' - invalid credentials");
  assertEquals(login("student", "pw", "10.0.0.7"), "student");
  assertEquals(login("student", "", "10.0.0.7"), "user 'student' - blank password");
  assertEquals(login("nobody", "pw", "127.0.0.1"), "user 'nobody' - invalid credentials");
  assertEquals([isLoopback(undefined), isLoopback("192.168.1.1")], [false, false]);
});
