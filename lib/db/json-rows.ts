import { dialect, Prisma } from "./client";

/**
 * Many rows as one statement parameter: a JSON array of arrays, unpacked by the database
 * (SQLite's json_each, PostgreSQL's json_array_elements) into a subquery with named columns.
 * Through Prisma a batch of 500 usage rows would be 4,500 bound parameters, costing the process
 * many times more per row than one JSON text does. Times go in as SQLite's stored text
 * form (ISO 8601 with "+00:00"), which PostgreSQL's timestamp(3) reads as the same UTC time.
 */
export type JsonColumn = [name: string, type: "int" | "text" | "timestamp"];

// The last time formatted, and its text: a usage batch's rows and rollups repeat the same
// millisecond (and hour) many times, and formatting each anew is a measurable part of a data call.
let lastMs = NaN;
let lastText = "";

// A Date is not copied: under Next every `new Date` goes through its instrumented constructor.
export function sqlTime(at: Date | number): string {
  const ms = typeof at === "number" ? at : at.getTime();
  if (ms === lastMs) return lastText;
  const text = (at instanceof Date ? at : new Date(at)).toISOString().replace("Z", "+00:00");
  lastMs = ms;
  lastText = text;
  return text;
}

export function jsonRows(columns: JsonColumn[], rows: unknown[][]): Prisma.Sql {
  const json = JSON.stringify(rows);
  if (dialect() === "sqlite") {
    const list = columns.map(([name], i) => `json_extract(value, '$[${i}]') AS ${name}`).join(", ");
    return Prisma.sql`(SELECT ${Prisma.raw(list)} FROM json_each(${json}))`;
  }
  const cast = { int: "int", text: "text", timestamp: "timestamp(3)" } as const;
  const list = columns.map(([name, type], i) => `(r->>${i})::${cast[type]} AS ${name}`).join(", ");
  return Prisma.sql`(SELECT ${Prisma.raw(list)} FROM json_array_elements(${json}::json) AS r)`;
}
