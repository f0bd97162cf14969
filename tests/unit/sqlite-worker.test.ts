import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST_PATH_OPTIONS } from "../../scripts/build-fast-path.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROBE = path.join(ROOT, "tests/unit/sqlite-worker-probe.ts");
/** What the probe prints when its thread wrote, read, and its checkpointer copied the WAL back. */
const WORKED = { rows: [{ answer: 42 }], checkpointed: true };

// The SQLite threads run the source text of functions in lib/db/sqlite-worker.ts, as compiled by
// whatever loaded that module: each loader must leave a text that runs on its own. Vitest's is
// tests/unit/sqlite-thread.test.ts; tsx and the fast path's esbuild bundle are here. Next's
// production build is the e2e suite's: playwright.config.ts serves through scripts/start.mjs
// (`next build`, then the fast path bundle), and e2e/usage-chart.spec.ts and
// e2e/journey.spec.ts write usage through the writer thread and read the summary through the
// reader threads, which fail the page when a thread cannot start.
describe("the SQLite threads under each loader", () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-worker-"));
    // The bundle keeps packages external, as .next/keyportal/fast-path.mjs does inside the project.
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function freshDatabase(name: string): string {
    const file = path.join(dir, `${name}.db`);
    const setup = new Database(file);
    setup.pragma("journal_mode = WAL");
    setup.exec("CREATE TABLE t (n INTEGER NOT NULL, pad BLOB)");
    setup.close();
    return file;
  }

  /** Runs the probe with node and these arguments before the database's path; its JSON line. */
  function probe(args: string[], file: string): unknown {
    const result = spawnSync(process.execPath, [...args, file], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout.trim().split("\n").pop() ?? "null");
  }

  it("starts under tsx (the admin CLI and scripts/prepare.ts)", () => {
    const tsx = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
    expect(probe([tsx, PROBE], freshDatabase("tsx"))).toEqual(WORKED);
  });

  it("starts from an esbuild bundle built like the fast path's", async () => {
    const bundle = path.join(dir, "probe.mjs");
    await build({ ...FAST_PATH_OPTIONS, entryPoints: [PROBE], outfile: bundle, logLevel: "silent" });
    expect(probe([bundle], freshDatabase("esbuild"))).toEqual(WORKED);
  });
});
