// `npm test`: the static checks (typecheck, lint, format, unused code), then unit + integration
// tests (Vitest), then the browser tests (Playwright in Debian's Chromium, against the production
// server that `npm start` runs). Ends with a two-line summary. A failed check stops the run before
// the tests and names itself; `--checks-only` (npm run check) runs just the checks.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureAptPackage } from "./support/apt-package.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const reports = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-reports-"));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

function run(command, args, extraEnv = {}) {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  return spawnSync(command, args, { stdio: "inherit", env: { ...env, ...extraEnv } }).status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

// Each check runs even when an earlier one failed, so one run lists every kind of problem.
const CHECKS = [
  ["typecheck", "node_modules/typescript/bin/tsc", ["--noEmit"]],
  ["lint", "node_modules/eslint/bin/eslint.js", [".", "--max-warnings=0"]],
  ["format", "node_modules/prettier/bin/prettier.cjs", ["--check", "--log-level=warn", "."]],
  ["knip", "node_modules/knip/bin/knip.js", []],
  ["layers", "scripts/lib-layers.mjs", []],
  ["commits", "scripts/commit-messages.mjs", []],
  ["comments", "scripts/comment-figures.mjs", []],
  // The generated OpenAPI document under Redocly's recommended rules (redocly.yaml): no warnings either.
  ["openapi", "node_modules/tsx/dist/cli.mjs", ["scripts/openapi-lint.ts"]],
];
const failedChecks = CHECKS.filter(([, script, args]) => run(process.execPath, [script, ...args]) !== 0).map(
  ([name]) => name,
);
if (failedChecks.length) {
  fs.rmSync(reports, { recursive: true, force: true });
  console.log(`
checks FAILED: ${failedChecks.join(", ")} (fix them, then run npm test again; no tests were run)`);
  process.exit(1);
}
console.log(`
checks: ${CHECKS.map(([name]) => name).join(", ")} ok`);
if (process.argv.includes("--checks-only")) process.exit(0);

const vitestReport = path.join(reports, "vitest.json");
const vitestStatus = run(process.execPath, [
  "node_modules/vitest/vitest.mjs",
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${vitestReport}`,
]);

let e2eStatus = 1;
const e2eReport = path.join(reports, "playwright.json");
if (ensureAptPackage(CHROMIUM, "chromium", ", or point CHROMIUM_PATH at a Chromium/Chrome binary")) {
  // A fresh database each run: the e2e server's data folder lives in the OS temp dir.
  const port = process.env.E2E_PORT ?? "3100";
  fs.rmSync(path.join(os.tmpdir(), `keyportal-e2e-${port}`), { recursive: true, force: true });
  e2eStatus = run(process.execPath, ["node_modules/@playwright/test/cli.js", "test", "--reporter=list,json"], {
    PLAYWRIGHT_JSON_OUTPUT_FILE: e2eReport,
  });
}

const unit = readJson(vitestReport);
const e2e = readJson(e2eReport)?.stats;
const passed = (unit?.numPassedTests ?? 0) + (e2e?.expected ?? 0);
const failed = (unit?.numFailedTests ?? 0) + (e2e ? e2e.unexpected + e2e.flaky : 0);
const skipped = (unit?.numPendingTests ?? 0) + (unit?.numTodoTests ?? 0) + (e2e?.skipped ?? 0);
const ok = vitestStatus === 0 && e2eStatus === 0 && failed === 0;
fs.rmSync(reports, { recursive: true, force: true });

console.log(`\nvitest: ${vitestStatus === 0 ? "ok" : "FAILED"}; playwright: ${e2eStatus === 0 ? "ok" : "FAILED"}`);
// Counted failures can be 0 while a runner failed (e.g. the server did not start): say so.
console.log(`tests: ${passed} passed, ${ok ? failed : Math.max(failed, 1)} failed, ${skipped} skipped`);
process.exit(ok ? 0 : 1);
