// Two production instances started at the same moment on one fresh PostgreSQL database and one
// Redis: what must hold across them. Exact key and hourly limits, one usage log, tokens and
// sessions valid on both, a revocation or key-control change made through one refused by the
// other at its very next call, counters that survive a restart. The tests run in order and share
// the accounts and keys the earlier ones made. Times are printed, never asserted: this machine
// may be loaded.
import fs from "node:fs";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../scripts/support/start-server.mjs";
import { admin, createFreshDatabase, dropDatabase, startInstance, startInstances } from "./support/cluster";
import { call, dataCall, newAccount, portalSession, type Account, type IssuedKey } from "./support/http";
import { prismaCli } from "./support/prisma-cli";
import { databaseUrl, PORTS, REDIS } from "./support/services";

// A usage row reaches the database within USAGE_FLUSH_INTERVAL_MS (200 ms here); this bounds
// only how long to keep looking on a slow machine.
const LOG_WAIT_MS = 30_000;
// How long B may keep answering a revoked key before the trial counts as never refused.
const REFUSAL_WAIT_MS = 5_000;

let database = "";
let instances: RunningServer[] = [];
const [portA, portB] = PORTS;

beforeAll(async () => {
  database = await createFreshDatabase();
  // Both at once, against an empty database: one migrates, the other waits for its lock.
  const started = performance.now();
  instances = await startInstances(PORTS, database);
  console.log(`both instances ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  if (database) await dropDatabase(database);
});

describe("migrations when both start at once on an empty database", () => {
  it("applies each committed migration once", async () => {
    const client = new pg.Client({ connectionString: databaseUrl(database) });
    await client.connect();
    const applied = (await client.query("SELECT count(*)::int AS n FROM _prisma_migrations")).rows[0].n;
    await client.end();
    const committed = fs.readdirSync("prisma/postgresql/migrations").filter((name) => !name.endsWith(".toml"));
    expect(applied).toBe(committed.length);
  });

  it("leaves a schema prisma migrate status calls up to date", async () => {
    const status = await prismaCli(["migrate", "status"], databaseUrl(database));
    expect(status.status, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toContain("Database schema is up to date");
  });
});

describe.each(PORTS)("instance :%i", (port) => {
  it("is healthy, with the database and Redis", async () => {
    const health = await call(port, "GET", "/api/health");
    expect(health.status, health.text).toBe(200);
    expect(health.json).toMatchObject({ database: "ok", redis: "ok" });
  });
});

describe("limits and state shared by both", () => {
  let free: Account;
  let key: IssuedKey;

  it("creates exactly 2 keys for a Free account from 20 concurrent generates split across both", async () => {
    free = await newAccount(portA, "scale-free");
    const generates = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(PORTS[i % 2], "POST", "/api/api-keys/generate", {
          token: free.token,
          body: { api_key_name: `key-${i}`, user: "scale_user" },
        }),
      ),
    );
    const created = generates.filter((r) => r.status === 201);
    const refused = generates.filter((r) => r.status === 403);
    const stored = (await call(portA, "GET", "/api/api-keys", { token: free.token })).json.pagination.total;
    console.log(`generates: ${created.length} × 201, ${refused.length} × 403; keys stored: ${stored}`);
    expect(created).toHaveLength(2);
    expect(stored).toBe(2);
    key = created[0].json;
  });

  it("admits exactly 60 of 200 concurrent data calls split across both (Free: 60 an hour)", async () => {
    const calls = await Promise.all(
      Array.from({ length: 200 }, (_, i) => dataCall(PORTS[i % 2], key, `scale-${i % 2 ? "B" : "A"}`)),
    );
    expect(calls.filter((r) => r.status === 200)).toHaveLength(60);
    expect(calls.filter((r) => r.status === 429)).toHaveLength(140);
  });

  const logTotal = async (port: number) =>
    (await call(port, "GET", `/api/api-usage-logs?per_page=100&api_key_id=${key.id}`, { token: free.token })).json
      .pagination.total as number;

  it("logs all 200 calls, the same list read through either", async () => {
    // Each instance flushes its rows on its own timer: wait until A's list has them all.
    await expect.poll(() => logTotal(portA), { timeout: LOG_WAIT_MS, interval: 250 }).toBe(200);
    expect(await logTotal(portB)).toBe(200);
  });

  it("has rows written by both instances in that log", async () => {
    const pages = Math.ceil((await logTotal(portA)) / 100);
    const agents = new Set<string>();
    for (let page = 1; page <= pages; page++) {
      const url = `/api/api-usage-logs?per_page=100&page=${page}&api_key_id=${key.id}`;
      for (const row of (await call(portA, "GET", url, { token: free.token })).json.data) agents.add(row.user_agent);
    }
    expect([...agents].sort()).toEqual(expect.arrayContaining(["scale-A", "scale-B"]));
  });

  it("accepts a Bearer token from A on B", async () => {
    const keysOnB = await call(portB, "GET", "/api/api-keys", { token: free.token });
    expect(keysOnB.status).toBe(200);
    expect(keysOnB.json.pagination.total).toBe(2);
  });

  it("reads a portal session from A on B, and serves /keys with it", async () => {
    const cookie = await portalSession(portA, free);
    expect(cookie).not.toBe("");
    const session = await call(portB, "GET", "/api/auth/session", { headers: { cookie } });
    expect(session.json?.user?.email, session.text.slice(0, 80)).toBe(free.email);
    const page = await call(portB, "GET", "/keys", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Generate New API Key");
  });

  it("keeps the exhausted Free quota exhausted on an instance restarted after it was spent", async () => {
    const before = await dataCall(portA, key);
    expect(before.status).toBe(429);
    const b = instances[1];
    await b.stop();
    instances[1] = await startInstance(portB, database);
    const after = await dataCall(portB, key);
    console.log(
      `before restart (A): ${before.status}, Remaining ${before.headers.get("x-ratelimit-remaining")}; after restarting B: ${after.status}, Remaining ${after.headers.get("x-ratelimit-remaining")}`,
    );
    expect(after.status).toBe(429);
  });
});

describe("changes through A seen by B at its very next call", () => {
  let enterprise: Account;

  beforeAll(async () => {
    enterprise = await newAccount(portA, "scale-revoke");
    await admin(database, "set-plan", enterprise.email, "enterprise");
  });

  const generate = async (name: string, user: string): Promise<IssuedKey> =>
    (
      await call(portA, "POST", "/api/api-keys/generate", {
        token: enterprise.token,
        body: { api_key_name: name, user },
      })
    ).json;

  /** 10 trials: a key B has just served is revoked through A; B's calls until it refuses. */
  async function revocationTrials(how: "deactivate" | "delete") {
    const firstAnswers: number[] = [];
    for (let trial = 0; trial < 10; trial++) {
      const secret = await generate(`revoke-${how}-${trial}`, "revoke_user");
      const warm = await dataCall(portB, secret);
      const revoked =
        how === "delete"
          ? await call(portA, "DELETE", `/api/api-keys/${secret.id}`, { token: enterprise.token })
          : await call(portA, "PUT", `/api/api-keys/${secret.id}/status`, {
              token: enterprise.token,
              body: { status: "inactive" },
            });
      const acknowledged = performance.now();
      let first: number | null = null;
      let refusedAfter = Infinity;
      while (performance.now() - acknowledged < REFUSAL_WAIT_MS) {
        const response = await dataCall(portB, secret);
        first ??= response.status;
        if (response.status === 401) {
          refusedAfter = performance.now() - acknowledged;
          break;
        }
      }
      firstAnswers.push(first ?? 0);
      console.log(
        `${how} trial ${trial + 1}: A answered ${revoked.status}, B before: ${warm.status}, B's next call: ${first}, refused after ${refusedAfter.toFixed(1)} ms`,
      );
      expect(warm.status).toBe(200);
      expect(revoked.status).toBeLessThan(300);
    }
    return firstAnswers;
  }

  it("refuses a key deactivated through A at B's very next call, in every trial", async () => {
    expect(await revocationTrials("deactivate")).toEqual(Array(10).fill(401));
  });

  it("refuses a key deleted through A at B's very next call, in every trial", async () => {
    expect(await revocationTrials("delete")).toEqual(Array(10).fill(401));
  });

  describe("key controls changed through A", () => {
    let controlled: IssuedKey;
    beforeAll(async () => {
      controlled = await generate("controls", "controls_user");
    });

    const steps: [string, Record<string, unknown> | null, number][] = [
      ["warm", null, 200],
      ["routes [125] (123 outside them)", { routes: [125] }, 403],
      ["routes back to every route", { routes: null }, 200],
      ["an allow-list without this address", { ip_allowlist: ["192.0.2.1"] }, 403],
      ["the allow-list cleared", { ip_allowlist: null }, 200],
    ];
    it.each(steps)("%s: B answers as expected", async (_label, change, expected) => {
      if (change) {
        const patched = await call(portA, "PATCH", `/api/api-keys/${controlled.id}`, {
          token: enterprise.token,
          body: change,
        });
        expect(patched.status).toBe(200);
      }
      expect((await dataCall(portB, controlled)).status).toBe(expected);
    });

    let successor: IssuedKey;
    it("rotated on A with no grace: B refuses the old key at once", async () => {
      const rotated = await call(portA, "POST", `/api/api-keys/${controlled.id}/rotate`, {
        token: enterprise.token,
        body: { grace_period_seconds: 0 },
      });
      expect(rotated.status).toBe(201);
      expect((await dataCall(portB, controlled)).status).toBe(401);
      successor = rotated.json;
    });

    it("its successor reported leaked on A: B refuses it at once", async () => {
      const reported = await call(portA, "POST", "/api/api-keys/revoke", { body: { api_key: successor.api_key } });
      expect(reported.status).toBe(202);
      expect((await dataCall(portB, successor)).status).toBe(401);
    });
  });
});

describe("organizations across both", () => {
  // Issue 24 on the scaled setup: an invitation made on one instance accepted on the other,
  // membership and roles read per request (a change on A acts at B's next request), and every
  // organization endpoint refusing a non-member on both instances.
  let owner: Account;
  let developer: Account;
  let outsider: Account;
  let team: number;
  let developerId: number;
  let teamKey: IssuedKey;
  const inTeam = () => ({ "x-organization-id": String(team) });

  beforeAll(async () => {
    [owner, developer, outsider] = await Promise.all([
      newAccount(portA, "org-owner"),
      newAccount(portB, "org-developer"),
      newAccount(portA, "org-outsider"),
    ]);
  });

  it("makes one Free organization of 10 concurrent creations split across both", async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(i % 2 ? portB : portA, "POST", "/api/orgs", { token: owner.token, body: { name: `Race ${i}` } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(403)]);
    team = answers.find((a) => a.status === 201)!.json.id;
    const listed = await call(portB, "GET", "/api/orgs", { token: owner.token });
    expect(listed.json.data.map((o: { id: number; role: string }) => [o.id, o.role])).toContainEqual([team, "owner"]);
  });

  it("takes an invitation made on A on B, once", async () => {
    const invited = await call(portA, "POST", `/api/orgs/${team}/invitations`, {
      token: owner.token,
      body: { role: "viewer" },
    });
    expect(invited.status).toBe(201);
    const accepted = await call(portB, "POST", "/api/invitations/accept", {
      token: developer.token,
      body: { token: invited.json.token },
    });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.json).toMatchObject({ organization_id: team, role: "viewer" });
    const again = await call(portA, "POST", "/api/invitations/accept", {
      token: outsider.token,
      body: { token: invited.json.token },
    });
    expect(again.status).toBe(409);
    const members = await call(portA, "GET", `/api/orgs/${team}/members`, { token: owner.token });
    developerId = members.json.data.find((m: { email: string }) => m.email === developer.email).user_id;
  });

  it("acts on a role changed on A at B's next request", async () => {
    const generate = () =>
      call(portB, "POST", "/api/api-keys/generate", {
        token: developer.token,
        headers: inTeam(),
        body: { api_key_name: `team-${crypto.randomUUID().slice(0, 8)}`, user: "team_user" },
      });
    expect((await generate()).status).toBe(403);
    const promoted = await call(portA, "PATCH", `/api/orgs/${team}/members/${developerId}`, {
      token: owner.token,
      body: { role: "developer" },
    });
    expect(promoted.status).toBe(200);
    const made = await generate();
    expect(made.status, made.text).toBe(201);
    expect(made.json.created_by).toBe(developerId);
    teamKey = made.json;
    expect((await dataCall(portA, teamKey)).status).toBe(200);
  });

  it("refuses a non-member on every organization endpoint, on both instances", async () => {
    const paths: Array<[string, string, unknown?]> = [
      ["PATCH", `/api/orgs/${team}`, { name: "taken" }],
      ["DELETE", `/api/orgs/${team}`],
      ["GET", `/api/orgs/${team}/members`],
      ["PATCH", `/api/orgs/${team}/members/${developerId}`, { role: "owner" }],
      ["DELETE", `/api/orgs/${team}/members/${developerId}`],
      ["GET", `/api/orgs/${team}/invitations`],
      ["POST", `/api/orgs/${team}/invitations`, { role: "owner" }],
      ["DELETE", `/api/orgs/${team}/invitations/1`],
      ["POST", `/api/orgs/${team}/leave`],
      ["POST", `/api/orgs/${team}/transfer`, { user_id: developerId }],
    ];
    const withHeader: Array<[string, string, unknown?]> = [
      ["GET", "/api/api-keys"],
      ["GET", "/api/api-keys/export"],
      ["POST", "/api/api-keys/generate", { api_key_name: "intruder", user: "intruder" }],
      ["GET", `/api/api-keys/${teamKey.id}`],
      ["PATCH", `/api/api-keys/${teamKey.id}`, { read_only: true }],
      ["PUT", `/api/api-keys/${teamKey.id}/status`, { status: "inactive" }],
      ["POST", `/api/api-keys/${teamKey.id}/rotate`, { grace_period_seconds: 0 }],
      ["DELETE", `/api/api-keys/${teamKey.id}`],
      ["GET", "/api/audit-logs"],
      ["GET", "/api/api-usage-logs"],
      ["GET", "/api/api-usage-logs/summary"],
      ["PUT", "/api/account/working-hours", { time_zone: "UTC", work_start_hour: 1, work_end_hour: 2 }],
    ];
    let refused = 0;
    for (const port of PORTS) {
      for (const [method, path, body] of paths) {
        const answer = await call(port, method, path, { token: outsider.token, body });
        expect({ port, method, path, status: answer.status }).toEqual({ port, method, path, status: 404 });
        refused++;
      }
      for (const [method, path, body] of withHeader) {
        const answer = await call(port, method, path, { token: outsider.token, body, headers: inTeam() });
        expect({ port, method, path, status: answer.status }).toEqual({ port, method, path, status: 404 });
        expect(answer.json).toEqual({ success: false, message: "Organization not found" });
        refused++;
      }
      // Without the header the outsider's own organization is meant: the team's key is not there.
      const direct = await call(port, "GET", `/api/api-keys/${teamKey.id}`, { token: outsider.token });
      expect(direct.status).toBe(404);
    }
    console.log(`non-member refused on ${refused} organization calls across both instances`);
    expect((await dataCall(portB, teamKey)).status).toBe(200);
  });

  it("refuses a member removed on A at B's next request; their key keeps working", async () => {
    const removed = await call(portA, "DELETE", `/api/orgs/${team}/members/${developerId}`, { token: owner.token });
    expect(removed.status).toBe(200);
    const next = await call(portB, "GET", "/api/api-keys", { token: developer.token, headers: inTeam() });
    expect(next.status).toBe(404);
    expect((await dataCall(portB, teamKey)).status).toBe(200);
    const byRemoved = await call(portB, "GET", "/api/api-keys?created_by=removed", {
      token: owner.token,
      headers: inTeam(),
    });
    expect(byRemoved.json.data.map((k: { id: number }) => k.id)).toEqual([teamKey.id]);
  });

  it("stops the organization's keys at B's next call once it is deleted on A", async () => {
    const deleted = await call(portA, "DELETE", `/api/orgs/${team}`, { token: owner.token });
    expect(deleted.status).toBe(200);
    expect((await dataCall(portB, teamKey)).status).toBe(401);
  });
});

describe("quota leases (each instance spends blocks of the hourly budget taken from Redis)", () => {
  let account: Account;
  let leased: IssuedKey;
  let ownerId = 0;

  beforeAll(async () => {
    account = await newAccount(portA, "scale-leases");
    await admin(database, "set-plan", account.email, "professional");
    leased = (
      await call(portA, "POST", "/api/api-keys/generate", {
        token: account.token,
        body: { api_key_name: "leased", user: "lease_user" },
      })
    ).json;
    const db = new pg.Client({ connectionString: databaseUrl(database) });
    await db.connect();
    try {
      ownerId = (await db.query("SELECT owner_id FROM api_keys WHERE id = $1", [leased.id])).rows[0].owner_id;
    } finally {
      await db.end();
    }
  });

  /** The account's calls as Redis counts them: admitted calls plus the slots instances hold. */
  async function countedInRedis(): Promise<number> {
    const redis = new Redis(REDIS);
    try {
      const keys = await redis.keys(`keyportal:rl:{account:${ownerId}}:*`);
      const values = keys.length ? await redis.mget(...keys) : [];
      return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
    } finally {
      redis.disconnect();
    }
  }

  it("gives back on SIGTERM what it held: Redis then counts exactly the calls admitted", async () => {
    let admitted = 0;
    for (let round = 0; round < 40; round++) {
      const answers = await Promise.all(Array.from({ length: 25 }, () => dataCall(portA, leased)));
      admitted += answers.filter((answer) => answer.status === 200).length;
    }
    expect(admitted).toBe(1_000);
    const held = (await countedInRedis()) - admitted;
    console.log(`1,000 calls through A: A holds ${held} slots beyond them`);
    expect(held).toBeGreaterThan(0);
    await instances[0].stop();
    instances[0] = await startInstance(portA, database);
    expect(await countedInRedis()).toBe(admitted);
  });

  it("refuses at B's next call once the plan drops below what was spent, slots held or not", async () => {
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all(Array.from({ length: 25 }, () => dataCall(portB, leased)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
    }
    expect(await countedInRedis()).toBeGreaterThan(1_250);
    await admin(database, "set-plan", account.email, "free");
    const answers = await Promise.all([dataCall(portB, leased), dataCall(portA, leased)]);
    expect(answers.map((answer) => answer.status)).toEqual([429, 429]);
    expect(answers[0].headers.get("x-ratelimit-limit")).toBe("60");
  });
});
