import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, getConfig, readEnv, resetConfigForTests } from "@/lib/config/env";
import { databaseProvider } from "@/lib/config/database-url";

const reject = (env: Record<string, string>) => {
  try {
    readEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
};

describe("readEnv: one validated schema for every variable", () => {
  it("gives the documented defaults for an empty environment", () => {
    const env = readEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: "0.0.0.0",
      DATABASE_URL: "file:./data/portal.db",
      DATA_DIR: "./data",
      TRUST_PROXY: false,
      DEMO_ACCOUNT: true,
      DEMO_EMAIL: "demo@example.com",
      USAGE_FLUSH_INTERVAL_MS: 1,
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.NEXTAUTH_SECRET).toBeUndefined();
  });

  it("treats an empty value as unset", () => {
    expect(readEnv({ PORT: "", REDIS_URL: "", DATABASE_URL: "" })).toMatchObject({
      PORT: 3000,
      DATABASE_URL: "file:./data/portal.db",
    });
  });

  it.each([
    [{ TRUST_PROXY: "yes" }, "TRUST_PROXY"],
    [{ PORT: "70000" }, "PORT"],
    [{ PORT: "80a" }, "PORT"],
    [{ DATABASE_URL: "mysql://db/portal" }, "DATABASE_URL"],
    [{ REDIS_URL: "http://cache:6379" }, "REDIS_URL"],
    [{ NEXTAUTH_URL: "not a url" }, "NEXTAUTH_URL"],
    [{ USAGE_FLUSH_INTERVAL_MS: "0" }, "USAGE_FLUSH_INTERVAL_MS"],
    [{ DEMO_ACCOUNT: "maybe" }, "DEMO_ACCOUNT"],
    [{ API_KEY_PEPPER: "short" }, "API_KEY_PEPPER"],
  ])("refuses %j with one line naming %s", (env, name) => {
    const message = reject(env);
    expect(message).toContain(name);
    expect(message.startsWith("Invalid environment:")).toBe(true);
    expect(message).not.toContain("\n");
  });

  it("parses TRUST_PROXY the same way everywhere (true/1 on, false/0 off, any case)", () => {
    expect(readEnv({ TRUST_PROXY: "TRUE" }).TRUST_PROXY).toBe(true);
    expect(readEnv({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(true);
    expect(readEnv({ TRUST_PROXY: "0" }).TRUST_PROXY).toBe(false);
  });

  it("picks the provider from DATABASE_URL's scheme", () => {
    expect(databaseProvider("file:./data/portal.db")).toBe("sqlite");
    expect(databaseProvider("postgres://u@h/db")).toBe("postgresql");
    expect(databaseProvider("postgresql://u@h/db")).toBe("postgresql");
    expect(() => databaseProvider("mysql://u@h/db")).toThrow(/DATABASE_URL/);
  });
});

describe("getConfig: secrets across instances", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetConfigForTests();
  });

  it("with PostgreSQL, refuses to start without NEXTAUTH_SECRET and API_KEY_PEPPER, naming both", () => {
    process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/nowhere";
    delete process.env.NEXTAUTH_SECRET;
    delete process.env.API_KEY_PEPPER;
    resetConfigForTests();
    expect(() => getConfig()).toThrow(ConfigError);
    expect(() => getConfig()).toThrow(/NEXTAUTH_SECRET and API_KEY_PEPPER must be set/);
  });

  it("with PostgreSQL and both secrets set, uses them as given", () => {
    process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/nowhere";
    process.env.NEXTAUTH_SECRET = "s".repeat(32);
    process.env.API_KEY_PEPPER = "p".repeat(32);
    resetConfigForTests();
    expect(getConfig()).toMatchObject({ sessionSecret: "s".repeat(32), keyPepper: "p".repeat(32) });
  });

  it("with SQLite, generates missing secrets into DATA_DIR once and keeps them", () => {
    delete process.env.NEXTAUTH_SECRET;
    delete process.env.API_KEY_PEPPER;
    resetConfigForTests();
    const first = getConfig();
    resetConfigForTests();
    const second = getConfig();
    expect(first.keyPepper.length).toBeGreaterThanOrEqual(32);
    expect(second.keyPepper).toBe(first.keyPepper);
    expect(second.sessionSecret).toBe(first.sessionSecret);
  });
});
