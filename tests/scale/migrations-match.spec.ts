// Each provider's migrations, applied to an empty shadow database, must produce exactly its
// schema.prisma: a schema change without its migration (or the reverse) fails here.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prismaCli } from "./support/prisma-cli";
import { POSTGRES } from "./support/services";

/** `prisma migrate diff` from a provider's migrations to its schema: empty, or they drifted apart. */
async function migrationsMatchSchema(provider: "sqlite" | "postgresql", url: string) {
  const result = await prismaCli(
    [
      "migrate",
      "diff",
      "--from-migrations",
      `prisma/${provider}/migrations`,
      "--to-schema-datamodel",
      `prisma/${provider}/schema.prisma`,
      "--exit-code",
    ],
    url,
  );
  // --exit-code: 0 no difference, 2 a difference, 1 an error.
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

describe("migrations against schemas (prisma migrate diff, on a shadow database)", () => {
  it("prisma/sqlite: the migrations produce exactly the schema", async () => {
    const shadow = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-diff-")), "shadow.db");
    const { status, output } = await migrationsMatchSchema("sqlite", `file:${shadow}`);
    expect(status, output).toBe(0);
  });

  it("prisma/postgresql: the migrations produce exactly the schema", async () => {
    const { status, output } = await migrationsMatchSchema("postgresql", POSTGRES);
    expect(status, output).toBe(0);
  });
});
