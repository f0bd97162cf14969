import crypto from "node:crypto";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { databaseProvider } from "../config/database-url";

/**
 * The driver adapter Prisma's CLI (migrate deploy / diff / status, db execute) uses, for the
 * provider DATABASE_URL names. Both need a workaround of a bug in 6.19's adapters; see below.
 */
export function migrationAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  return databaseProvider(url) === "sqlite" ? sqliteForMigrations(url) : postgresForMigrations(url);
}

/**
 * `migrate diff --from-migrations` replays each migration file on the shadow database as one
 * parameterless executeRaw, which both drivers reject as a prepared statement (better-sqlite3
 * prepares one statement at a time; pg's extended protocol takes one command). Route those
 * through executeScript, which runs multi-statement SQL.
 */
function scriptsAsScripts<T extends SqlDriverAdapter>(shadow: T): T {
  const executeRaw = shadow.executeRaw.bind(shadow);
  shadow.executeRaw = async (query) =>
    query.args.length === 0 ? (await shadow.executeScript(query.sql), 0) : executeRaw(query);
  return shadow;
}

function sqliteForMigrations(url: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaBetterSQLite3({ url });
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => scriptsAsScripts(await connectToShadowDb());
  return factory;
}

// pg_catalog's `name` and `"char"` types, which the schema engine reads when it inspects a
// database and which adapter-pg 6.19 cannot map ("Column type 'name' could not be
// deserialized", prisma/orm#27403). Their text form is all the engine needs.
const CATALOG_TEXT_OIDS = new Set([19, 18]);
const TEXT_OID = 25;

interface PerformsIO {
  performIO(query: SqlQuery): Promise<{ fields: Array<{ dataTypeID: number }> }>;
}

function readCatalogTypesAsText<T extends object>(queryable: T): T {
  const io = queryable as unknown as PerformsIO;
  const performIO = io.performIO.bind(io);
  io.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    return result;
  };
  return queryable;
}

function patchAdapter<T extends SqlDriverAdapter>(adapter: T): T {
  readCatalogTypesAsText(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolation) => readCatalogTypesAsText(await startTransaction(isolation));
  return adapter;
}

/**
 * Connection settings as separate fields, not a connection string: the adapter opens the
 * shadow database as `{ ...config, database }`, and a connectionString would override that
 * database name, so the shadow's migrations would run on the real database.
 */
function pgConfig(url: string) {
  const parsed = new URL(url);
  return {
    host: decodeURIComponent(parsed.hostname),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
    ssl: ["require", "verify-ca", "verify-full"].includes(parsed.searchParams.get("sslmode") ?? "") || undefined,
  };
}

async function onServer(config: pg.ClientConfig, sql: string): Promise<void> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function postgresForMigrations(url: string): SqlMigrationAwareDriverAdapterFactory {
  const config = pgConfig(url);
  const factory = new PrismaPg(config);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => patchAdapter(await connect());
  // The adapter's own shadow database is dropped while its pool still holds a connection, which
  // PostgreSQL refuses ("being accessed by other users"): close the pool first, then drop.
  factory.connectToShadowDb = async () => {
    const database = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
    await onServer(config, `CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg({ ...config, database }).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await onServer(config, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    };
    return scriptsAsScripts(patchAdapter(shadow));
  };
  return factory;
}
