import { describe, expect, it } from "vitest";
import { isBusy, isDatabaseUnavailable, ownerGone, rowRefused } from "@/lib/db/errors";
import { PgThreadError } from "@/lib/db/pg-thread";

// What the usage writer does with each failure of PostgreSQL's writer thread (lib/usage/usage-recorder.ts):
// retry everything (busy, unavailable), drop the one row (refused, owner gone).
describe("PostgreSQL writer thread errors, as lib/db/errors.ts reads them", () => {
  const cases: Array<
    [string | undefined, { busy: boolean; unavailable: boolean; refused: boolean; ownerGone: boolean }]
  > = [
    ["23503", { busy: false, unavailable: false, refused: true, ownerGone: true }],
    ["22001", { busy: false, unavailable: false, refused: true, ownerGone: false }],
    ["23505", { busy: false, unavailable: false, refused: true, ownerGone: false }],
    ["57014", { busy: true, unavailable: true, refused: false, ownerGone: false }],
    ["40P01", { busy: true, unavailable: true, refused: false, ownerGone: false }],
    ["57P01", { busy: false, unavailable: true, refused: false, ownerGone: false }],
    ["53100", { busy: false, unavailable: true, refused: false, ownerGone: false }],
    ["08006", { busy: false, unavailable: true, refused: false, ownerGone: false }],
    ["ECONNREFUSED", { busy: false, unavailable: true, refused: false, ownerGone: false }],
    ["EPIPE", { busy: false, unavailable: true, refused: false, ownerGone: false }],
    [undefined, { busy: false, unavailable: true, refused: false, ownerGone: false }],
    ["42P01", { busy: false, unavailable: false, refused: false, ownerGone: false }],
  ];
  for (const [code, expected] of cases) {
    it(`${code ?? "no code"}: ${JSON.stringify(expected)}`, () => {
      const error = new PgThreadError("failed", code);
      expect({
        busy: isBusy(error),
        unavailable: isDatabaseUnavailable(error),
        refused: rowRefused(error),
        ownerGone: ownerGone(error),
      }).toEqual(expected);
    });
  }
});
