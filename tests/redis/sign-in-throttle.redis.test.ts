import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { REDIS_URL, whenReady } from "./support";

/**
 * The sign-in throttle with its counters in Redis (the multi-instance setup): the reservation
 * before the hash is one Lua step there, so parallel guesses cannot all pass a check. The account
 * lookup, the last sign-in, two-factor and the audit are stubbed (no database here); the hash is a
 * 30 ms wait, as bcrypt's is.
 */
const PASSWORD = "the-right-password";
vi.mock("@/lib/auth/users", () => ({
  createUser: vi.fn(),
  checkCredentials: vi.fn(async (_email: string, password: string) => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const user = { id: 1, email: "victim@example.com", username: "victim", plan: "free" };
    return password === PASSWORD ? { user, accountId: 1 } : { user: null, accountId: 1 };
  }),
  recordSignIn: vi.fn(async () => {}),
  emailOf: vi.fn(async () => "victim@example.com"),
}));
// No account here has two-factor sign-in on.
vi.mock("@/lib/auth/two-factor", () => ({
  twoFactorEnabled: vi.fn(async () => false),
  checkSecondFactor: vi.fn(),
  startEnrolment: vi.fn(),
}));
vi.mock("@/lib/audit/audit-log", () => ({ recordAudit: vi.fn(async () => {}) }));
vi.mock("@/lib/audit/failed-sign-ins", () => ({ recordFailedSignIn: vi.fn(async () => {}) }));

const { signInWithPassword } = await import("@/lib/auth/sign-in");
const { resetConfigForTests } = await import("@/lib/config/env");
const { resetRateLimitStoreForTests } = await import("@/lib/limits/quota");
const { disconnectRedis, sharedRedis } = await import("@/lib/redis/shared");

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-redis-signin-"));
// Fresh throttle keys each run: the counters live for 15 minutes in the shared Redis.
const run = randomBytes(6).toString("hex");
const randomIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join(".")}`;

beforeAll(async () => {
  Object.assign(process.env, {
    REDIS_URL,
    DATA_DIR: dataDir,
    NEXTAUTH_SECRET: "test-session-secret-0123456789abcdefghijklmnop",
    API_KEY_PEPPER: "test-key-pepper-0123456789abcdefghijklmnopqrstu",
  });
  resetConfigForTests();
  resetRateLimitStoreForTests();
  await whenReady(sharedRedis()!);
});

afterAll(async () => {
  await disconnectRedis();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const outcome = (r: Awaited<ReturnType<typeof signInWithPassword>>) => (r.ok ? 200 : r.throttled ? 429 : 401);

describe("sign-in throttle on Redis under parallel attempts", () => {
  it("60 parallel logins for one email and IP: at most 10 checked; the right password after them is refused", async () => {
    const email = `victim-${run}@example.com`;
    const ip = randomIp();
    const attempts = Array.from({ length: 60 }, (_, i) => signInWithPassword(email, `wrong-${i}`, ip));
    const statuses = (await Promise.all(attempts)).map(outcome);
    console.log(`[throttle/redis] 60 parallel logins: ${statuses.filter((s) => s === 429).length} x 429`);
    expect(statuses.filter((s) => s !== 429)).toHaveLength(10);
    expect(outcome(await signInWithPassword(email, PASSWORD, ip))).toBe(429);
  });

  it("300 parallel guesses over many emails from one IP: at most 30 checked", async () => {
    const ip = randomIp();
    const attempts = Array.from({ length: 300 }, (_, i) =>
      signInWithPassword(`spray-${run}-${i}@example.com`, "x", ip),
    );
    const statuses = (await Promise.all(attempts)).map(outcome);
    console.log(`[throttle/redis] 300 sprayed guesses: ${statuses.filter((s) => s === 429).length} x 429`);
    expect(statuses.filter((s) => s !== 429)).toHaveLength(30);
  });

  it("the right password gives its reservation back", async () => {
    const email = `ok-${run}@example.com`;
    const ip = randomIp();
    for (let i = 0; i < 12; i++) expect(outcome(await signInWithPassword(email, PASSWORD, ip))).toBe(200);
    for (let i = 0; i < 10; i++) expect(outcome(await signInWithPassword(email, `wrong-${i}`, ip))).toBe(401);
    expect(outcome(await signInWithPassword(email, PASSWORD, ip))).toBe(429);
  });
});
