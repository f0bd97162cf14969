import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery } from "@prisma/driver-adapter-utils";
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
 * parameterless executeRaw, which better-sqlite3 rejects (one statement per prepare). Route
 * those through executeScript, which runs multi-statement SQL.
 */
function sqliteForMigrations(url: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaBetterSQLite3({ url });
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => {
    const shadow = await connectToShadowDb();
    const executeRaw = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = async (query) =>
      query.args.length === 0 ? (await shadow.executeScript(query.sql), 0) : executeRaw(query);
    return shadow;
  };
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

function postgresForMigrations(url: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaPg({ connectionString: url });
  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => patchAdapter(await connect());
  factory.connectToShadowDb = async () => patchAdapter(await connectToShadowDb());
  return factory;
}
