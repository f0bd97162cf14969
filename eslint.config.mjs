// ESLint flat config: Next's core-web-vitals rules (which bring React, React Hooks, jsx-a11y and
// import), typescript-eslint's recommended set, and a few type-aware rules where a mistake here
// costs data: an un-awaited database write fails silently or lands after the response.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/**
 * The floors of lib/, lowest first: a folder may import its own floor and the floors below it,
 * never one above (and lib/ never imports app/ or components/). Domains reach each other only
 * downwards or through a seam of a lower floor (lib/runtime/pending-writes.ts); HTTP, actions
 * and the other edges sit on top. scripts/lib-layers.mjs (in npm test's checks) prints the
 * folder graph and fails on a cycle among folders on one floor.
 */
const LIB_FLOORS = [
  ["config", "errors", "format", "log", "mail", "metrics", "net", "runtime", "validation"],
  ["db", "redis"],
  ["cache"],
  ["limits"],
  ["audit", "events"],
  ["auth", "data-routes", "keys", "orgs"],
  ["usage"],
  ["actions", "admin", "data-api", "gateway", "health", "http", "openapi", "setup", "webhooks"],
];
const layerZones = LIB_FLOORS.flatMap((floor, level) =>
  floor.map((folder) => ({
    target: `./lib/${folder}`,
    from: [
      ...LIB_FLOORS.slice(level + 1)
        .flat()
        .map((above) => `./lib/${above}`),
      "./app",
      "./components",
    ],
    message: `lib/${folder} is on floor ${level + 1} of lib/: it may not import a higher floor (eslint.config.mjs: LIB_FLOORS).`,
  })),
);

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  reactHooks.configs.flat["recommended-latest"],
  {
    files: ["**/*.ts", "**/*.tsx", "**/*.mts"],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["vitest*.config.mts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import/no-restricted-paths": ["error", { zones: layerZones }],
    },
  },
  {
    // SQL that differs between SQLite and PostgreSQL is spelled in lib/db (sql-dialect.ts), so
    // domain code writes one statement and asks there for the parts that differ.
    files: ["lib/**/*.ts"],
    ignores: ["lib/db/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/db/client"],
              importNames: ["dialect"],
              message: "Branch on the provider in lib/db only: use a named fragment of lib/db/sql-dialect.ts.",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON response bodies whose shape is exactly what they assert; typing each
    // one would restate the assertion.
    files: ["tests/**", "e2e/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Plain JavaScript (scripts/*.mjs, configs) is outside the TypeScript project.
    files: ["**/*.mjs", "**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
  },
  globalIgnores([
    ".next/**",
    "out/**",
    "build/**",
    "next-env.d.ts",
    "lib/db/generated/**",
    "data/**",
    "test-results/**",
    "playwright-report/**",
    "coverage/**",
  ]),
]);
