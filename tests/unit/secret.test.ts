import { describe, expect, it } from "vitest";
import {
  KEY_LENGTH,
  KEY_PREFIX,
  constantTimeEqual,
  digestSecret,
  encodeBase62,
  generateKeySecret,
  hasValidKeyFormat,
  keyChecksum,
  keyHint,
  presentedDigest,
} from "@/lib/keys/secret";
import { errorForLog, redactKeys } from "@/lib/log/redact";

describe("key secret format", () => {
  it("is sk_live_ + 32 base62 + 6 base62 checksum characters", () => {
    const key = generateKeySecret();
    expect(key).toMatch(/^sk_live_[0-9A-Za-z]{38}$/);
    expect(key).toHaveLength(KEY_LENGTH);
    expect(key.slice(-6)).toBe(keyChecksum(key.slice(0, -6)));
  });

  it("never repeats and uses the whole alphabet", () => {
    const keys = Array.from({ length: 2000 }, generateKeySecret);
    expect(new Set(keys).size).toBe(keys.length);
    const seen = new Set(keys.flatMap((k) => [...k.slice(KEY_PREFIX.length, -6)]));
    expect(seen.size).toBe(62);
  });

  it("accepts its own keys and rejects mistyped ones", () => {
    const key = generateKeySecret();
    expect(hasValidKeyFormat(key)).toBe(true);
    // Change one body character: the checksum no longer matches.
    const i = KEY_PREFIX.length + 5;
    const typo = key.slice(0, i) + (key[i] === "a" ? "b" : "a") + key.slice(i + 1);
    expect(hasValidKeyFormat(typo)).toBe(false);
    expect(hasValidKeyFormat(key.slice(0, -1))).toBe(false);
    expect(hasValidKeyFormat(key + "x")).toBe(false);
    expect(hasValidKeyFormat(key.replace("sk_live_", "sk_test_"))).toBe(false);
    expect(hasValidKeyFormat("sk_live_aBcDeFgHiJkLmNoPqRsTuVwXyZ123456")).toBe(false);
    expect(hasValidKeyFormat("")).toBe(false);
  });

  it("computes the CRC32 checksum in base62 (known vector)", () => {
    // CRC32("123456789") = 0xCBF43926 = 3421780262
    expect(keyChecksum("123456789")).toBe(encodeBase62(3421780262, 6));
    expect(encodeBase62(0, 6)).toBe("000000");
    expect(encodeBase62(61, 6)).toBe("00000z");
    expect(encodeBase62(62, 6)).toBe("000010");
  });
});

describe("digest and hint", () => {
  it("is HMAC-SHA256 with the pepper: deterministic, pepper-dependent, not the key", () => {
    const key = generateKeySecret();
    const digest = digestSecret(key, "pepper-one");
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digestSecret(key, "pepper-one")).toBe(digest);
    expect(digestSecret(key, "pepper-two")).not.toBe(digest);
    expect(digest).not.toContain(key.slice(KEY_PREFIX.length, KEY_PREFIX.length + 8));
  });

  it("a presented secret's digest is the same HMAC, seen again or not, and follows the pepper", () => {
    const keys = Array.from({ length: 50 }, () => generateKeySecret());
    for (let round = 0; round < 2; round++) {
      for (const key of keys) expect(presentedDigest(key, "pepper-one")).toBe(digestSecret(key, "pepper-one"));
    }
    // A changed pepper (another configuration in the same process) is never answered from the old one's digests.
    for (const key of keys) expect(presentedDigest(key, "pepper-two")).toBe(digestSecret(key, "pepper-two"));
    expect(presentedDigest(keys[0], "pepper-one")).toBe(digestSecret(keys[0], "pepper-one"));
  });

  it("shows at most the first and last 4 characters of the key body", () => {
    const key = generateKeySecret();
    const hint = keyHint(key);
    const body = key.slice(KEY_PREFIX.length);
    expect(hint).toBe(`sk_live_${body.slice(0, 4)}…${body.slice(-4)}`);
    expect(hint.replace(/[^0-9A-Za-z]/g, "").length).toBeLessThanOrEqual("sklive".length + 8);
  });

  it("redacts key-shaped text", () => {
    const key = generateKeySecret();
    expect(redactKeys(`curl ${key} here`)).toBe("curl sk_live_[redacted] here");
  });
});

describe("errorForLog", () => {
  it("keeps the error's text and stack but no key and no digest", () => {
    const secret = generateKeySecret();
    const digest = "ab".repeat(32);
    const error = Object.assign(new Error(`insert failed for ${secret} with digest ${digest.toUpperCase()}`), {
      code: "SQLITE_CONSTRAINT",
    });
    const line = errorForLog(error);
    expect(line).toContain("insert failed for sk_live_[redacted] with digest [digest]");
    expect(line).toContain("at "); // the stack is kept
    expect(line).toMatch(/\[SQLITE_CONSTRAINT\]$/);
    expect(line).not.toContain(secret.slice(8));
    expect(line.toLowerCase()).not.toContain(digest);
  });

  it("takes anything thrown", () => {
    expect(errorForLog("plain text")).toBe("plain text");
    expect(errorForLog(undefined)).toBe("undefined");
  });
});

describe("constantTimeEqual", () => {
  it("is true only for the same string", () => {
    expect(constantTimeEqual("svc_user", "svc_user")).toBe(true);
    expect(constantTimeEqual("svc_user", "svc_usEr")).toBe(false);
    expect(constantTimeEqual("svc_user", "svc_use")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("é", "e\u0301")).toBe(false); // compared as written, not normalised
  });
});
