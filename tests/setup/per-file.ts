import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { resetConfigForTests } from "@/lib/config/env";
import { disconnectDb } from "@/lib/db/client";

// A private copy of the migrated template and a private data folder for each test file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-file-"));
const dbFile = path.join(dir, "test.db");
fs.copyFileSync(inject("templateDb"), dbFile);
process.env.DATABASE_URL = `file:${dbFile}`;
process.env.DATA_DIR = path.join(dir, "data");
process.env.NEXTAUTH_SECRET = "test-session-secret-0123456789abcdefghijklmnop";
process.env.API_KEY_PEPPER = "test-key-pepper-0123456789abcdefghijklmnopqrstu";
resetConfigForTests();

afterAll(async () => {
  await disconnectDb();
  fs.rmSync(dir, { recursive: true, force: true });
});
