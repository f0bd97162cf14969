import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "@/lib/setup/migrate";
import { postgresUrl, TEST_DATABASE } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    /** SQLite: the migrated template file. PostgreSQL: the migrated template database's name. */
    templateDb: string;
  }
}

/**
 * Migrates one template database with the real CLI (migrateDatabase, as npm start does); every
 * test file gets its own copy (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL). TEST_DATABASE=postgresql picks
 * PostgreSQL (npm run test:scale does).
 */
export default async function setup(project: TestProject) {
  if (TEST_DATABASE === "postgresql") {
    const template = `keyportal_template_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: postgresUrl("postgres") });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${template}"`);
    await migrateDatabase(postgresUrl(template));
    project.provide("templateDb", template);
    return async () => {
      const leftovers = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2",
        [`keyportal_file_${process.pid}_%`, template],
      );
      for (const { datname } of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      await admin.end();
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-test-"));
  const templateDb = path.join(dir, "template.db");
  await migrateDatabase(`file:${templateDb}`);
  project.provide("templateDb", templateDb);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
