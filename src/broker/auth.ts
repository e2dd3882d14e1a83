/**
 * SASL for connection.start-ok: PLAIN (`\0user\0password`) and AMQPLAIN (a
 * field table body with LOGIN and PASSWORD), checked against the broker's
 * users (user_registry.ts). Like RabbitMQ, a user flagged loopback-only
 * (`guest`) may log in from 127.0.0.1 / ::1 only.
 */
import { decodeFieldTable } from "../amqp/mod.ts";
import type { LoginResult, UserRegistry } from "./user_registry.ts";

export const MECHANISMS = ["PLAIN", "AMQPLAIN"] as const;

export interface Credentials {
  username: string;
  password: string;
}

const utf8 = new TextDecoder();

/** Decodes a SASL response; undefined when it is malformed or the mechanism unknown. */
export function parseSaslResponse(
  mechanism: string,
  response: Uint8Array,
): Credentials | undefined {
  if (mechanism === "PLAIN") {
    // [authzid] NUL authcid NUL passwd. Like RabbitMQ, no authorization
    // identity at all (not even the user's own): acting as someone else is
    // not something a PLAIN login may ask for.
    const parts = utf8.decode(response).split("\u0000");
    if (parts.length !== 3 || parts[0] !== "") return undefined;
    return { username: parts[1]!, password: parts[2]! };
  }
  if (mechanism === "AMQPLAIN") {
    try {
      const t = decodeFieldTable(response);
      const login = t["LOGIN"], password = t["PASSWORD"];
      if (typeof login !== "string" || typeof password !== "string") return undefined;
      return { username: login, password };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/** The user when the credentials are right and allowed from `remoteAddress`, or why not. */
export function authenticate(
  users: UserRegistry,
  creds: Credentials,
  remoteAddress: string | undefined,
): LoginResult {
  return users.login(creds.username, creds.password, isLoopback(remoteAddress));
}
