// npm test's openapi check: writes the OpenAPI document the server would serve to a temporary
// file and lints it with Redocly CLI under redocly.yaml (the recommended rules). Redocly exits 0
// when it finds only warnings; this check fails on any problem, warnings included. Offline: no
// server and no network, only the document generator and the CLI in node_modules.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openApiDocument } from "../lib/openapi/document";

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer?: string }> }>;
}

// Run from the project folder, as npm runs scripts.
const root = process.cwd();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-openapi-"));
const file = path.join(dir, "openapi.json");
let failed = true;
try {
  const document = openApiDocument();
  fs.writeFileSync(file, JSON.stringify(document, null, 2));
  // tsx runs this file as CommonJS (package.json has no "type"), where require is defined.
  const cli = require.resolve("@redocly/cli/bin/cli.js");
  const config = path.join(root, "redocly.yaml");
  const lint = spawnSync(
    process.execPath,
    [cli, "lint", file, "--config", config, "--lint-config", "error", "--format", "json", "--max-problems", "1000"],
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    },
  );
  let report: LintReport | null = null;
  try {
    report = JSON.parse(lint.stdout) as LintReport;
  } catch {
    report = null;
  }
  if (!report) {
    // No report: the CLI itself failed (a bad redocly.yaml, say). Its own words say why.
    console.error(lint.stdout, lint.stderr);
    console.error(`openapi: redocly lint did not report (exit ${lint.status})`);
  } else {
    for (const problem of report.problems) {
      const where = problem.location.map((location) => location.pointer ?? "").join(", ");
      console.log(`${problem.severity} ${problem.ruleId}: ${problem.message} (${where})`);
    }
    const { errors, warnings } = report.totals;
    const operations = Object.values(document.paths ?? {}).flatMap((item) =>
      ["get", "put", "post", "patch", "delete"].filter((method) => method in item),
    ).length;
    console.log(
      `openapi: redocly lint (recommended): ${errors} errors, ${warnings} warnings in ${operations} operations`,
    );
    failed = errors + warnings > 0 || lint.status !== 0;
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
