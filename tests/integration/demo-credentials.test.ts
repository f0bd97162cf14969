import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/passwords";
import { readEnv } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { saveDemoCredentials, seedDatabase } from "@/lib/setup/seed";

/**
 * The demo account's password exists only in what the first start prints and saves: whatever the
 * database (on PostgreSQL nothing else creates DATA_DIR), it is saved, and a file that cannot be
 * written costs the copy, not the password or the start.
 */
const root = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-demo-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// The demo account is made only while no account exists.
beforeEach(async () => {
  await db().user.deleteMany();
});

async function passwordWorks(email: string, password: string): Promise<boolean> {
  const user = await db().user.findUnique({ where: { email }, select: { passwordHash: true } });
  return verifyPassword(password, user?.passwordHash);
}

describe("demo credentials", () => {
  it("creates a missing DATA_DIR (mode 0700) and writes the file (mode 0600)", async () => {
    const dataDir = path.join(root, "missing", "data");
    const { demo } = await seedDatabase(readEnv({ ...process.env, DATA_DIR: dataDir }));
    expect(demo).not.toBeNull();
    const saved = saveDemoCredentials(demo!, dataDir);
    expect(saved).toEqual({ file: path.join(dataDir, "demo-credentials.txt") });
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(saved.file!).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(saved.file!, "utf8")).toBe(`email: ${demo!.email}\npassword: ${demo!.password}\n`);
    expect(await passwordWorks(demo!.email, demo!.password)).toBe(true);
  });

  it("returns the password and does not throw when the file cannot be written", async () => {
    const dataDir = path.join(root, "a-file");
    fs.writeFileSync(dataDir, "not a folder");
    const { demo } = await seedDatabase(readEnv({ ...process.env, DATA_DIR: dataDir }));
    expect(demo).not.toBeNull();
    const saved = saveDemoCredentials(demo!, dataDir);
    expect(saved.file).toBeUndefined();
    expect(saved.error).toMatch(/could not write .*demo-credentials\.txt/);
    expect(await passwordWorks(demo!.email, demo!.password)).toBe(true);
  });

  it("npm start's prepare step prints the password, warns, and carries on when DATA_DIR is not writable", async () => {
    const dataDir = path.join(root, "another-file");
    fs.writeFileSync(dataDir, "not a folder");
    const result = spawnSync("node_modules/.bin/tsx", ["scripts/prepare.ts"], {
      env: { ...process.env, DATA_DIR: dataDir, DEMO_PASSWORD: "demo-password-from-env", REDIS_URL: "" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    expect(result.stdout).toMatch(/password: demo-password-from-env\n/);
    expect(result.stderr).toMatch(/Warning: the credentials were not saved \(could not write .*\); note them now/);
    expect(await passwordWorks("demo@example.com", "demo-password-from-env")).toBe(true);
  }, 60_000);
});
