// `npm start`: prepare the database (migrate, seed), build if the sources changed since the
// last build, then serve. Works on a fresh clone after `npm ci` with no configuration.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { tsImport } from "tsx/esm/api";
import { buildFastPath } from "./build-fast-path.mjs";

const root = process.cwd();
process.env.NEXT_TELEMETRY_DISABLED = "1";

// The environment first, by the app's own schema (lib/config/env.ts): a bad value stops here
// with one line naming it, before anything is generated, migrated or built.
const { readEnv, getConfig, ConfigError } = await tsImport("../lib/config/env.ts", import.meta.url);
try {
  const { PORT } = readEnv();
  getConfig(); // the rules between variables too (PostgreSQL needs the shared secrets)
  process.env.NEXTAUTH_URL ||= `http://localhost:${PORT}`;
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const BUILD_INPUTS = [
  "app",
  "components",
  "lib",
  "public",
  "prisma",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.mjs",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];

function listFiles(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .filter((d) => d.name !== "generated" && d.name !== "node_modules")
    .flatMap((d) => listFiles(path.join(entry, d.name)));
}

/** A hash of everything the build reads, so a `git pull` is rebuilt and a restart is not. */
function sourceFingerprint() {
  const hash = crypto.createHash("sha256");
  for (const file of BUILD_INPUTS.flatMap(listFiles).sort()) {
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(root, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

const stamp = path.join(root, ".next", "source-fingerprint");
const fingerprint = sourceFingerprint();
const built =
  fs.existsSync(path.join(root, ".next", "BUILD_ID")) &&
  fs.existsSync(stamp) &&
  fs.readFileSync(stamp, "utf8") === fingerprint;
// A changed schema needs a regenerated client before anything touches the database.
if (!built) run("npm", ["run", "--silent", "prisma:generate"]);

// --build-only: just the build (npm run test:scale builds once, then starts several instances).
const buildOnly = process.argv.includes("--build-only");
if (!buildOnly) run(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/prepare.ts"]);

if (!built) {
  console.log("Building the portal (first start or changed sources)…");
  run(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "build"]);
  await buildFastPath();
  fs.writeFileSync(stamp, fingerprint);
}

if (!buildOnly) await import("./server.mjs");
