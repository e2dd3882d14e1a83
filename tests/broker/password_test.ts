/** password.ts: RabbitMQ's salted password hashes, both ways. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  checkPassword,
  DEFAULT_HASHING,
  hashPassword,
  isBase64,
  isHashingAlgorithm,
} from "../../src/broker/password.ts";

// Made by RabbitMQ 3.10 for the password "pw" (PUT /api/users, GET shows it).
const RABBITMQ_PW_HASHES = [
  "7CAbcfwPlWlB7h3M+B3fYCwXQQKtrcv9Lr5b+BVPoYIvw1Eb",
  "eCxhq/G0yECZ3RFa+6GQcPvc33YzSQixQKfa2AAUgWK/Cj8T",
];

Deno.test("checkPassword() accepts hashes made by RabbitMQ and refuses other passwords", () => {
  for (const hash of RABBITMQ_PW_HASHES) {
    assert(checkPassword(hash, "rabbit_password_hashing_sha256", "pw"), hash);
    assert(!checkPassword(hash, "rabbit_password_hashing_sha256", "pw "), hash);
    assert(!checkPassword(hash, "rabbit_password_hashing_sha256", "PW"), hash);
    assert(!checkPassword(hash, "rabbit_password_hashing_sha512", "pw"), hash);
  }
});

Deno.test("hashPassword() is base64 of a 4-byte salt and SHA-256(salt ++ password)", () => {
  const salt = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
  const hash = hashPassword("s3cret", DEFAULT_HASHING, salt);
  const bytes = Buffer.from(hash, "base64");
  assertEquals(bytes.length, 4 + 32);
  assertEquals([...bytes.subarray(0, 4)], [...salt]);
  assert(!hash.includes("s3cret"));
  assert(checkPassword(hash, DEFAULT_HASHING, "s3cret"));
  // A fresh salt each time: the same password never gives the same hash.
  assert(hashPassword("s3cret") !== hashPassword("s3cret"));
});

Deno.test("every RabbitMQ hashing algorithm round-trips", async (t) => {
  const cases = [
    ["rabbit_password_hashing_sha256", 36],
    ["rabbit_password_hashing_sha512", 68],
    ["rabbit_password_hashing_md5", 20],
  ] as const;
  for (const [algorithm, length] of cases) {
    await t.step(algorithm, () => {
      const hash = hashPassword("Grüße, 学生", algorithm);
      assertEquals(Buffer.from(hash, "base64").length, length);
      assert(checkPassword(hash, algorithm, "Grüße, 学生"));
      assert(!checkPassword(hash, algorithm, "Grusse"));
    });
  }
  assert(isHashingAlgorithm("rabbit_password_hashing_md5"));
  assert(!isHashingAlgorithm("sha256"));
  assert(!isHashingAlgorithm("toString"));
});

Deno.test("checkPassword() never matches a blank password, an empty hash or a malformed one", () => {
  assert(!checkPassword(hashPassword(""), DEFAULT_HASHING, ""));
  assert(!checkPassword("", DEFAULT_HASHING, "anything"));
  assert(!checkPassword("not base64!", DEFAULT_HASHING, "pw"));
  assert(!checkPassword("AAAA", DEFAULT_HASHING, "pw")); // 3 bytes: not even a salt
  assertEquals([isBase64(""), isBase64("AAAA"), isBase64("AAA"), isBase64("A A=")], [
    true,
    true,
    false,
    false,
  ]);
});
