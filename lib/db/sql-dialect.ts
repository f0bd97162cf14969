import { db, dialect, Prisma } from "./client";

/**
 * The SQL that SQLite and PostgreSQL spell differently, as named fragments: domain code writes
 * one statement and asks here for the parts that differ, so no query outside lib/db branches on
 * the provider. Column names passed in are trusted SQL (identifiers written in code, never input).
 */

const sqlite = () => dialect() === "sqlite";

/** The smaller of two values: SQLite's two-argument MIN is PostgreSQL's LEAST. */
export const least = (a: string, b: string): Prisma.Sql => Prisma.raw(`${sqlite() ? "MIN" : "LEAST"}(${a}, ${b})`);

/** The larger of two values: SQLite's two-argument MAX is PostgreSQL's GREATEST. */
export const greatest = (a: string, b: string): Prisma.Sql =>
  Prisma.raw(`${sqlite() ? "MAX" : "GREATEST"}(${a}, ${b})`);

/** `later` is at least `days` days after `earlier` (two timestamp columns). */
export function daysApartAtLeast(later: string, earlier: string, days: number): Prisma.Sql {
  return sqlite()
    ? Prisma.raw(`julianday(${later}) - julianday(${earlier}) >= ${Number(days)}`)
    : Prisma.raw(`${later} - ${earlier} >= interval '${Number(days)} days'`);
}

/** `column` is no earlier than `days` days before `reference` (two timestamp columns). */
export function withinDaysBefore(column: string, reference: string, days: number): Prisma.Sql {
  return sqlite()
    ? Prisma.raw(`julianday(${column}) >= julianday(${reference}) - ${Number(days)}`)
    : Prisma.raw(`${column} >= ${reference} - interval '${Number(days)} days'`);
}

/**
 * A column used for ordering without letting SQLite's planner pick an index on it: the unary +
 * makes it an expression, so the planner keeps the index the WHERE clause narrows by.
 * PostgreSQL needs no hint.
 */
/**
 * `table` read through the index `index` on SQLite (INDEXED BY): its planner would rather walk the
 * primary key to skip a GROUP BY's sort, over every row of the table instead of the range the
 * index holds. PostgreSQL's planner weighs the range itself: the table alone.
 */
export const indexedBy = (table: string, index: string): Prisma.Sql =>
  Prisma.raw(sqlite() ? `${table} INDEXED BY ${index}` : table);

export const unindexed = (column: string): Prisma.Sql => Prisma.raw(sqlite() ? `+${column}` : column);

/** A timestamp column as integer milliseconds since the epoch. */
export function epochMsSql(column: string): Prisma.Sql {
  return sqlite()
    ? Prisma.raw(`CAST(ROUND((julianday(${column}) - 2440587.5) * 86400000.0) AS INTEGER)`)
    : Prisma.raw(`CAST(ROUND(EXTRACT(EPOCH FROM ${column}) * 1000) AS BIGINT)`);
}

/**
 * An aggregate: the group's rows as one JSON text, an array of arrays of `values` (`[]` when the
 * group is empty), for results too large to be worth building as row objects.
 */
export function jsonArrayOfArrays(values: Prisma.Sql[]): Prisma.Sql {
  const row = Prisma.join(values);
  return sqlite()
    ? Prisma.sql`json_group_array(json_array(${row}))`
    : Prisma.sql`COALESCE(json_agg(json_build_array(${row}))::text, '[]')`;
}

/**
 * `columns` (each a text column) contains `text`, case-insensitively and literally (% and _ match
 * themselves). SQLite: LIKE with an escape (it folds ASCII case only, as its lower() does);
 * PostgreSQL: strpos() of the lowered texts, which takes the text as is.
 */
export function containsText(columns: string[], text: string): Prisma.Sql {
  if (sqlite()) {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return Prisma.sql`(${Prisma.join(
      columns.map((column) => Prisma.sql`${Prisma.raw(column)} LIKE ${pattern} ESCAPE '\\'`),
      " OR ",
    )})`;
  }
  return Prisma.sql`(${Prisma.join(
    columns.map((column) => Prisma.sql`strpos(lower(${Prisma.raw(column)}), lower(${text})) > 0`),
    " OR ",
  )})`;
}

/**
 * The end of a subquery that picks rows for a worker to claim (UPDATE … WHERE id IN (SELECT …
 * LIMIT n <this>)). PostgreSQL runs concurrent claims side by side: FOR UPDATE SKIP LOCKED locks
 * the rows picked and passes over rows another claim holds, so two instances never claim one row.
 * SQLite runs one write statement at a time, so the UPDATE with its subquery is atomic as it is.
 */
export const skipLockedRows = (): Prisma.Sql => Prisma.raw(sqlite() ? "" : "FOR UPDATE SKIP LOCKED");

/**
 * Statements to run first in a write's transaction so writes for the same owner queue behind each
 * other, on every instance: PostgreSQL runs statements concurrently (read committed), so two
 * could both see a name free; the owner's row is locked. NO KEY UPDATE queues key writes but not
 * usage rows, whose foreign key takes KEY SHARE. SQLite runs one statement at a time: none.
 */
export function ownerLock(ownerId: number): Prisma.Sql[] {
  return sqlite() ? [] : [Prisma.sql`SELECT id FROM organizations WHERE id = ${ownerId} FOR NO KEY UPDATE`];
}

/**
 * The rows `select` names, locked for the rest of a transaction on PostgreSQL (FOR UPDATE), for
 * serializedWrite. SQLite runs one statement at a time and needs none.
 */
export function lockRows(select: Prisma.Sql): Prisma.Sql[] {
  return sqlite() ? [] : [Prisma.sql`${select} FOR UPDATE`];
}

/**
 * A write that must not race another (a plan limit, a unique name, the last operator), as one
 * statement. SQLite runs one statement atomically; an interactive transaction would not do there
 * (request handlers share one SQLite connection, so other requests' statements would run inside
 * it and a rollback would take them along). PostgreSQL takes `locks` (ownerLock, lockRows)
 * first, in a transaction of its own, so racing writes queue on every instance.
 */
export async function serializedWrite(locks: Prisma.Sql[], statement: Prisma.Sql): Promise<number> {
  if (!locks.length) return db().$executeRaw(statement);
  return db().$transaction(
    async (tx) => {
      for (const lock of locks) await tx.$queryRaw(lock);
      return tx.$executeRaw(statement);
    },
    { maxWait: 5_000, timeout: 10_000 },
  );
}

/** A write serialized with the owner's other key writes (ownerLock). */
export const ownerSerialized = (ownerId: number, statement: Prisma.Sql): Promise<number> =>
  serializedWrite(ownerLock(ownerId), statement);

/**
 * Whether the usage writer may have several batches under way. SQLite's commits are cheap (no
 * fsync per commit in WAL with synchronous = NORMAL): up to four batches queue on its writer
 * thread. A PostgreSQL commit flushes the WAL and holds the connection a round trip: one batch at
 * a time lets the rows of the next one gather meanwhile, so under load batches are full rather
 * than many small commits (with four under way the data API lost a third of its throughput).
 */
export const pipelinesWrites = (): boolean => sqlite();
