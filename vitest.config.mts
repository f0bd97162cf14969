import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  // Vitest runs outside React's react-server condition, where the marker would throw: the empty
  // module is what Next resolves it to on the server.
  resolve: {
    alias: { "@": import.meta.dirname, "server-only": `${import.meta.dirname}/node_modules/server-only/empty.js` },
  },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts"],
    // tests/redis need a Redis server: run them with `npx vitest run -c vitest.redis.config.mts`.
    // tests/postgres hold what only PostgreSQL has: they run with TEST_DATABASE=postgresql (as
    // npm run test:scale runs the integration suite), never as skipped tests of the default run.
    exclude: [
      "tests/redis/**",
      ...(process.env.TEST_DATABASE === "postgresql" ? [] : ["tests/postgres/**"]),
      ...configDefaults.exclude,
    ],
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/per-file.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
