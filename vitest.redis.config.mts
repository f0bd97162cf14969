import { defineConfig } from "vitest/config";

// Tests against a real Redis (REDIS_URL, default redis://127.0.0.1:6379); no database needed.
export default defineConfig({
  // Vitest runs outside React's react-server condition, where the marker would throw: the empty
  // module is what Next resolves it to on the server.
  resolve: {
    alias: { "@": import.meta.dirname, "server-only": `${import.meta.dirname}/node_modules/server-only/empty.js` },
  },
  test: {
    environment: "node",
    include: ["tests/redis/**/*.test.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
