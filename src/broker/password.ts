/**
 * Password hashes as RabbitMQ stores them (rabbit_password_hashing_*): a
 * random 4-byte salt, then hash(salt ++ UTF-8 password), the pair in base64.
 * So a `password_hash` exported from RabbitMQ logs in here and one made here
 * logs in there. A clear-text password is hashed at once and never kept.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

export const HASHING_ALGORITHMS = {
  rabbit_password_hashing_sha256: "sha256",
  rabbit_password_hashing_sha512: "sha512",
  rabbit_password_hashing_md5: "md5",
} as const;

export type HashingAlgorithm = keyof typeof HASHING_ALGORITHMS;

/** RabbitMQ's default since 3.6. */
export const DEFAULT_HASHING: HashingAlgorithm = "rabbit_password_hashing_sha256";

export function isHashingAlgorithm(name: unknown): name is HashingAlgorithm {
  return typeof name === "string" && Object.hasOwn(HASHING_ALGORITHMS, name);
}

function digest(algorithm: HashingAlgorithm, salt: Uint8Array, password: string): Buffer {
  return createHash(HASHING_ALGORITHMS[algorithm]).update(salt).update(password, "utf8").digest();
}

/** base64(salt ++ hash(salt ++ password)), with a fresh random salt unless one is given. */
export function hashPassword(
  password: string,
  algorithm: HashingAlgorithm = DEFAULT_HASHING,
  salt: Uint8Array = randomBytes(4),
): string {
  return Buffer.concat([salt, digest(algorithm, salt, password)]).toString("base64");
}

/** Strict base64 (what RabbitMQ accepts as a `password_hash`; "" is a user without password). */
export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/**
 * Whether `password` matches `passwordHash`. An empty hash (a user created
 * without a password) and an empty password never match, as RabbitMQ's
 * internal backend refuses blank passwords.
 */
export function checkPassword(
  passwordHash: string,
  algorithm: HashingAlgorithm,
  password: string,
): boolean {
  if (password === "" || passwordHash === "" || !isBase64(passwordHash)) return false;
  const stored = Buffer.from(passwordHash, "base64");
  if (stored.length <= 4) return false;
  const computed = digest(algorithm, stored.subarray(0, 4), password);
  const expected = stored.subarray(4);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
