// Compiles the data API's fast path (lib/data-api/fast-path.ts and what it imports) into one
// ES module that scripts/server.mjs loads: the server is plain Node, and the hot path should
// not pay for a TypeScript loader. Packages stay external (loaded from node_modules once, like
// Next's server bundle does), so both share one copy of pg, ioredis and Prisma's runtime.
// Run by scripts/start.mjs right after `next build`.
import { build } from "esbuild";

export const FAST_PATH_BUNDLE = ".next/keyportal/fast-path.mjs";

/** How the fast path is bundled: tests/unit/sqlite-worker.test.ts bundles its probe the same way. */
export const FAST_PATH_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
};

export async function buildFastPath() {
  await build({ ...FAST_PATH_OPTIONS, entryPoints: ["lib/data-api/fast-path.ts"], outfile: FAST_PATH_BUNDLE });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildFastPath();
