import { defineConfig } from "vitest/config";

// `npm run test:scale`'s instance scenarios: production servers on PostgreSQL and Redis
// (TEST_POSTGRES_URL, TEST_REDIS_URL). Named *.spec.ts so the default config, which takes
// tests/**/*.test.ts, never runs them. One file at a time: production servers on fixed ports
// need the machine's cores to themselves.
export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    environment: "node",
    include: ["tests/scale/**/*.spec.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
