import { afterAll, describe, expect, it } from "vitest";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as register } from "@/app/api/auth/register/route";
import { resetConfigForTests } from "@/lib/config/env";
import { createAccount, noParams, request, uniqueEmail } from "./support";

/**
 * The throttles' check and count are one step: parallel attempts cannot all pass a check made
 * before any of them is counted (a peek, then the hash, then the count let 60 parallel logins
 * through and checked 256 of 300 sprayed guesses).
 */
const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

const attempt = (email: string, password: string, ip: string) =>
  login(
    request("POST", "/api/auth/login", { body: { email, password }, headers: { "x-forwarded-for": ip } }),
    noParams,
  ).then((r) => r.status);

describe("sign-in throttles under parallel attempts", () => {
  it("60 parallel logins for one email from one IP: at most 10 are checked, and the right password sent with them or after does not get in", async () => {
    const victim = await createAccount({ prefix: "race" });
    const ip = "203.0.113.60";
    const guesses = Array.from({ length: 59 }, (_, i) => attempt(victim.email, `wrong-${i}`, ip));
    const statuses = await Promise.all([...guesses, attempt(victim.email, victim.password, ip)]);
    console.log(`[throttle] 60 parallel logins, one email and IP: ${JSON.stringify(tally(statuses))}`);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(50);
    // The budget is spent: the right password is refused like any guess.
    expect(await attempt(victim.email, victim.password, ip)).toBe(429);
    // The same email from elsewhere still signs in (that budget is per email and IP).
    expect(await attempt(victim.email, victim.password, "203.0.113.61")).toBe(200);
  });

  it("300 parallel guesses over many emails from one IP: at most 30 are checked", async () => {
    const ip = "2001:db8:300::1";
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        // Every address of the IPv6 /64 is one client.
        attempt(uniqueEmail(`spray${i}`), "Summer2026!", `2001:db8:300::${(i % 250).toString(16)}`),
      ),
    );
    console.log(`[throttle] 300 parallel sprayed guesses, one IPv6 /64: ${JSON.stringify(tally(statuses))}`);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(30);
    expect(await attempt(uniqueEmail("spray-after"), "x-password", ip)).toBe(429);
  });

  it("a right password gives its reservation back: ten good sign-ins leave the budget whole", async () => {
    const user = await createAccount({ prefix: "race-ok" });
    const ip = "203.0.113.70";
    for (let i = 0; i < 10; i++) expect(await attempt(user.email, user.password, ip)).toBe(200);
    for (let i = 0; i < 10; i++) expect(await attempt(user.email, `wrong-${i}`, ip)).toBe(401);
    expect(await attempt(user.email, user.password, ip)).toBe(429);
  });
});

describe("sign-up throttle under parallel attempts", () => {
  const previous = process.env.SIGNUPS_PER_IP_PER_HOUR;
  afterAll(() => {
    process.env.SIGNUPS_PER_IP_PER_HOUR = previous;
    resetConfigForTests();
  });

  it("40 parallel sign-ups from one IP with a limit of 5: 5 accounts, the rest 429 before any hash", async () => {
    process.env.SIGNUPS_PER_IP_PER_HOUR = "5";
    resetConfigForTests();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        register(
          request("POST", "/api/auth/register", {
            body: { email: uniqueEmail(`signup${i}`), password: "correct-horse-battery" },
            headers: { "x-forwarded-for": "198.51.100.40" },
          }),
          noParams,
        ).then((r) => r.status),
      ),
    );
    expect(tally(statuses)).toEqual({ 201: 5, 429: 35 });
  });
});
