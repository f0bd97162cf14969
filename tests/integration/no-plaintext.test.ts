import { beforeAll, describe, expect, it } from "vitest";
import { POST as refresh } from "@/app/api/auth/refresh/route";
import { POST as login } from "@/app/api/auth/login/route";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { GET as exportKeys } from "@/app/api/api-keys/export/route";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { db, dialect } from "@/lib/db/client";
import {
  callData,
  createAccount,
  expectError,
  generateKey,
  mistype,
  noParams,
  readBody,
  request,
  setStatus,
  type Account,
  type GeneratedKey,
} from "./support";
import { seedSampleRoutes } from "../helpers";
import { flushUsage } from "@/lib/usage/usage-recorder";

/**
 * The "done when": the database holds no plaintext key. After keys are generated and
 * used (including in places a careless caller puts them), every cell of every table is searched
 * for every secret, refresh token and password this file handled.
 */

const accounts: Account[] = [];
const keys: GeneratedKey[] = [];
const refreshTokens: string[] = [];
const passwords = ["Plaintext-Password-One-8317", "Plaintext-Password-Two-5520"];

type Row = Record<string, unknown>;

async function readEveryTable(): Promise<Map<string, Row[]>> {
  await flushUsage(); // batched usage rows must be on disk before the search
  const tables = await db().$queryRawUnsafe<Array<{ name: string }>>(
    dialect() === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type='table'"
      : "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public'",
  );
  const contents = new Map<string, Row[]>();
  for (const { name } of tables) {
    contents.set(name, await db().$queryRawUnsafe<Row[]>(`SELECT * FROM "${name.replace(/"/g, '""')}"`));
  }
  return contents;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1");
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

beforeAll(async () => {
  await seedSampleRoutes();
  for (const [i, password] of passwords.entries()) {
    const account = await createAccount({ prefix: `plain${i}`, password, plan: "enterprise" });
    accounts.push(account);
    refreshTokens.push(account.refreshToken);
    // A second login and a refresh: more refresh tokens, some used, some live.
    const second = await readBody(
      await login(request("POST", "/api/auth/login", { body: { email: account.email, password } }), noParams),
    );
    refreshTokens.push(second.refresh_token);
    const rotated = await readBody(
      await refresh(request("POST", "/api/auth/refresh", { body: { refresh_token: second.refresh_token } }), noParams),
    );
    refreshTokens.push(rotated.refresh_token);
    // A failed login with a wrong password that must not be stored either.
    await login(
      request("POST", "/api/auth/login", { body: { email: account.email, password: `${password}-wrong` } }),
      noParams,
    );

    for (let k = 0; k < 3; k++) keys.push(await generateKey(account.token, `Key ${i}-${k}`, `svc_${i}_${k}`));
  }

  for (const key of keys) {
    expect((await callData({ key: key.api_key, username: key.user })).status).toBe(200);
    // Callers who leak their key into other places: none of it may reach the database.
    await callData({
      key: key.api_key,
      username: key.user,
      query: `?id=123&api_key=${key.api_key}`,
      headers: { "user-agent": `script ${key.api_key}` },
    });
    await callData({ key: key.api_key, username: key.user, query: `?id=${key.api_key}` });
    await callData({ key: key.api_key, username: "wrong_user" });
    await callData({ key: mistype(key.api_key), username: key.user, headers: { "user-agent": key.api_key } });
  }
  // Deactivate one, delete nothing: its row must still be free of the secret.
  expect((await setStatus(accounts[0].token, keys[0].id, "inactive")).status).toBe(200);
  await callData({ key: keys[0].api_key, username: keys[0].user });
  await listKeys(request("GET", "/api/api-keys", { token: accounts[0].token }), noParams);
  await exportKeys(request("GET", "/api/api-keys/export", { token: accounts[0].token }), noParams);
  await usageLogs(request("GET", "/api/api-usage-logs", { token: accounts[0].token }), noParams);
});

describe("no plaintext secret in the database", () => {
  it("reads real data: every expected table exists and holds rows", async () => {
    const tables = await readEveryTable();
    for (const name of ["users", "api_keys", "refresh_tokens", "usage_logs", "api_routes"]) {
      expect(tables.has(name)).toBe(true);
      expect(tables.get(name)!.length).toBeGreaterThan(0);
    }
    expect(tables.get("api_keys")!.length).toBe(keys.length);
    expect(tables.get("refresh_tokens")!.length).toBeGreaterThanOrEqual(refreshTokens.length);
    expect(tables.get("usage_logs")!.length).toBeGreaterThanOrEqual(keys.length * 5);
    // Every secret this file generated did work, so it went through the whole hot path.
    expect(keys).toHaveLength(6);
  });

  it("holds no API key secret, nor its random body, in any cell of any table", async () => {
    const tables = await readEveryTable();
    const leaks: string[] = [];
    for (const [table, rows] of tables) {
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          const text = cellText(value);
          for (const key of keys) {
            const body = key.api_key.slice("sk_live_".length);
            // The display hint may show the first and last 4 characters; nothing in between.
            if (text.includes(key.api_key) || text.includes(body) || text.includes(body.slice(4, -4))) {
              leaks.push(`${table}.${column} holds key ${key.id}`);
            }
          }
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it("holds no refresh token in any cell of any table", async () => {
    const tables = await readEveryTable();
    const leaks: string[] = [];
    for (const [table, rows] of tables) {
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          const text = cellText(value);
          for (const token of refreshTokens) {
            const random = token.replace(/^rt_/, "");
            if (text.includes(token) || text.includes(random)) leaks.push(`${table}.${column} holds a refresh token`);
          }
        }
      }
    }
    expect(refreshTokens.every((t) => typeof t === "string" && t.length > 20)).toBe(true);
    expect(leaks).toEqual([]);
  });

  it("holds no password, right or wrong, in any cell of any table", async () => {
    const tables = await readEveryTable();
    const leaks: string[] = [];
    for (const [table, rows] of tables) {
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          const text = cellText(value);
          for (const password of passwords) {
            if (text.includes(password)) leaks.push(`${table}.${column} holds a password`);
          }
          for (const account of accounts) {
            if (text.includes(account.token)) leaks.push(`${table}.${column} holds an access token`);
          }
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it("keeps passwords as bcrypt hashes", async () => {
    const tables = await readEveryTable();
    for (const user of tables.get("users")!) {
      expect(cellText(user.password_hash)).toMatch(/^\$2[aby]\$\d{2}\$.{53}$/);
    }
  });

  it("still lets the stored digests authenticate (the check above is not vacuous)", async () => {
    const active = keys[1];
    expect((await callData({ key: active.api_key, username: active.user })).status).toBe(200);
    await expectError(await callData({ key: keys[0].api_key, username: keys[0].user }), 401);
  });
});
