import { defineConfig } from "vitest/config";

// Tests against a real Redis (REDIS_URL, default redis://127.0.0.1:6379); no database needed.
export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    environment: "node",
    include: ["tests/redis/**/*.test.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
