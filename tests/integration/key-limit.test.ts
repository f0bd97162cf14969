import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createUser } from "@/lib/auth/users";
import { getConfig } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { isDomainError } from "@/lib/errors/domain-error";
import { countKeys } from "@/lib/keys/key-limit";
import { createKey, deleteKey, rotateKey, setKeyStatus } from "@/lib/keys/key-commands";
import { findKeyByDigest } from "@/lib/keys/key-lookup";
import { digestSecret } from "@/lib/keys/secret";
import { uniqueEmail } from "./support";

const FREE_LIMIT = 2;
const GRACES = [0, 3600, 86400, 604800] as const;

async function freeAccount(): Promise<number> {
  return (await createUser({ email: uniqueEmail("limit"), password: "correct-horse-battery" })).id;
}

const keyInput = (name: string) => ({ api_key_name: name, user: "svc" });

/** What the data API would accept now: the key exists, is active and has not expired. */
async function works(secret: string, now = new Date()): Promise<boolean> {
  const key = await findKeyByDigest(digestSecret(secret, getConfig().keyPepper));
  return Boolean(key && key.status === "active" && (!key.expiresAt || key.expiresAt > now));
}

async function workingSecrets(secrets: string[]): Promise<number> {
  let n = 0;
  for (const secret of secrets) if (await works(secret)) n++;
  return n;
}

/** Rotated-out keys that still work and whose successor exists: each may add one to the limit. */
async function outgoingWithLivingSuccessor(ownerId: number, now = new Date()): Promise<number> {
  const rotated = await db().apiKey.findMany({
    where: { ownerId, rotatedAt: { not: null }, status: "active", expiresAt: { gt: now } },
    select: { id: true },
  });
  let n = 0;
  for (const { id } of rotated) if (await db().apiKey.count({ where: { rotatedFromId: id } })) n++;
  return n;
}

describe("the plan's key limit has no rotation loophole", () => {
  it("generate → rotate with a week's grace → delete the new key, repeated, never passes the limit", async () => {
    const ownerId = await freeAccount();
    const secrets = [(await createKey(ownerId, keyInput("a"))).secret];
    const b = await createKey(ownerId, keyInput("b"));
    secrets.push(b.secret);
    for (let round = 0; round < 5; round++) {
      const rotated = await rotateKey(ownerId, b.key.id, 604800).catch(() => null);
      if (rotated) {
        secrets.push(rotated.secret);
        await deleteKey(ownerId, rotated.key.id);
      }
      // The outgoing key counts again: the account is at its limit.
      await expect(createKey(ownerId, keyInput(`extra-${round}`))).rejects.toMatchObject({
        name: "DomainError",
        code: "key_limit_reached",
      });
    }
    expect(await countKeys(ownerId)).toBe(FREE_LIMIT);
    expect(await workingSecrets(secrets)).toBe(FREE_LIMIT);
  });

  it("deleting a successor leaves the outgoing key's grace running, and it counts until the grace ends", async () => {
    const ownerId = await freeAccount();
    const a = await createKey(ownerId, keyInput("a"));
    const rotated = (await rotateKey(ownerId, a.key.id, 3600))!;
    expect(await countKeys(ownerId)).toBe(1);
    await createKey(ownerId, keyInput("b"));
    expect(await countKeys(ownerId)).toBe(FREE_LIMIT);
    await deleteKey(ownerId, rotated.key.id);
    expect(await works(a.secret)).toBe(true);
    expect(await countKeys(ownerId)).toBe(FREE_LIMIT);
    await expect(createKey(ownerId, keyInput("c"))).rejects.toMatchObject({
      name: "DomainError",
      code: "key_limit_reached",
    });
    // An hour and a second later the outgoing key has expired and its place is free again.
    expect(await countKeys(ownerId, new Date(Date.now() + 3_601_000))).toBe(1);
  });

  it("no random sequence of generate, rotate, delete and status calls holds more working secrets than it may", async () => {
    type Step =
      | { op: "generate" }
      | { op: "rotate"; pick: number; grace: (typeof GRACES)[number] }
      | { op: "delete"; pick: number }
      | { op: "status"; pick: number; status: "active" | "inactive" };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.constant({ op: "generate" as const }),
      fc.record({ op: fc.constant("rotate" as const), pick: fc.nat(), grace: fc.constantFrom(...GRACES) }),
      fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
      fc.record({
        op: fc.constant("status" as const),
        pick: fc.nat(),
        status: fc.constantFrom("active" as const, "inactive" as const),
      }),
    );
    let runs = 0;
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (sequence) => {
        runs++;
        const ownerId = await freeAccount();
        const secrets: string[] = [];
        let names = 0;
        for (const s of sequence) {
          steps++;
          const ids = (
            await db().apiKey.findMany({ where: { ownerId }, select: { id: true }, orderBy: { id: "asc" } })
          ).map((k) => k.id);
          const pick = (n: number) => ids[n % Math.max(ids.length, 1)];
          if (s.op === "generate") {
            const made = await createKey(ownerId, keyInput(`k${names++}`)).catch((error: unknown) => {
              if (isDomainError(error, "key_limit_reached")) return null;
              throw error;
            });
            if (made) secrets.push(made.secret);
          } else if (ids.length && s.op === "rotate") {
            const made = await rotateKey(ownerId, pick(s.pick), s.grace).catch(() => null);
            if (made) secrets.push(made.secret);
          } else if (ids.length && s.op === "delete") {
            await deleteKey(ownerId, pick(s.pick));
          } else if (ids.length && s.op === "status") {
            await setKeyStatus(ownerId, pick(s.pick), s.status);
          }
          const allowed = FREE_LIMIT + (await outgoingWithLivingSuccessor(ownerId));
          expect(await workingSecrets(secrets)).toBeLessThanOrEqual(allowed);
          expect(await countKeys(ownerId)).toBeLessThanOrEqual(FREE_LIMIT);
        }
      }),
      { numRuns: 60, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
    console.log(`[key-limit] fast-check: ${runs} sequences, ${steps} calls, invariant held`);
    expect(runs).toBeGreaterThanOrEqual(60);
  }, 120_000);
});
