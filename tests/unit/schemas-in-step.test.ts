import fs from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The two providers' schemas must describe the same data model: the app uses one client type
 * for both (lib/db/client.ts). Everything below the datasource is compared: every model, every
 * field with its type and attributes, every index and map. Comments may differ.
 */
type Model = { fields: string[]; blockAttributes: string[] };

function models(file: string): Record<string, Model> {
  const text = fs.readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
  const result: Record<string, Model> = {};
  for (const match of text.matchAll(/^model\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const lines = match[2]
      .split("\n")
      .map((line) => line.trim().replace(/\s+/g, " "))
      .filter(Boolean);
    result[match[1]] = {
      fields: lines.filter((line) => !line.startsWith("@@")),
      blockAttributes: lines.filter((line) => line.startsWith("@@")).sort(),
    };
  }
  return result;
}

const sqlite = models("prisma/sqlite/schema.prisma");
const postgresql = models("prisma/postgresql/schema.prisma");

describe("prisma/sqlite and prisma/postgresql schemas", () => {
  it("declare the same models", () => {
    expect(Object.keys(postgresql).sort()).toEqual(Object.keys(sqlite).sort());
    expect(Object.keys(sqlite).length).toBeGreaterThanOrEqual(5);
  });

  it.each(Object.keys(sqlite))("model %s has the same fields, types, attributes and indexes", (name) => {
    expect(postgresql[name]).toEqual(sqlite[name]);
    expect(sqlite[name].fields.length).toBeGreaterThan(0);
  });

  it("differ only in provider and generated-client folder outside the models", () => {
    const header = (file: string) =>
      fs
        .readFileSync(file, "utf8")
        .replace(/\/\/.*$/gm, "")
        .split(/^model\s/m)[0]
        .replace(/sqlite|postgresql/g, "PROVIDER")
        .replace(/\s+/g, " ");
    expect(header("prisma/postgresql/schema.prisma")).toEqual(header("prisma/sqlite/schema.prisma"));
  });

  it("each has a migration folder for its own provider", () => {
    for (const provider of ["sqlite", "postgresql"]) {
      expect(fs.readFileSync(`prisma/${provider}/migrations/migration_lock.toml`, "utf8")).toContain(
        `provider = "${provider}"`,
      );
    }
  });
});
