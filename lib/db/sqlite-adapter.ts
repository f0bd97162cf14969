import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";

/**
 * better-sqlite3's Prisma adapter holds a mutex for the length of a transaction and releases it
 * in the transaction's commit()/rollback(), which Prisma calls only after its COMMIT or ROLLBACK
 * statement succeeded. When SQLite ends a transaction by itself (SQLITE_FULL and SQLITE_IOERR
 * roll it back), Prisma's ROLLBACK fails with "no transaction is active", the mutex is never
 * released, and every later transaction on that connection waits forever: one full disk hung
 * the usage writer for good. Here a ROLLBACK that fails counts as done, and a COMMIT that fails
 * rolls back and releases the mutex before its error goes on.
 */
export function sqliteAdapter(url: string, busyTimeoutMs: number): SqlDriverAdapterFactory {
  const factory = new PrismaBetterSQLite3({ url, timeout: busyTimeoutMs });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      // WAL with synchronous=NORMAL: a commit is durable once it is in the OS (a killed process
      // loses nothing committed; a power cut can lose the last commits), without an fsync per
      // commit. With FULL, the fsync of every usage batch's commit costs the data API a large share
      // of its throughput.
      await adapter.executeScript("PRAGMA synchronous = NORMAL;");
      return releasing(adapter);
    },
  };
}

const ROLLBACK: SqlQuery = { sql: "ROLLBACK", args: [], argTypes: [] };

/** The object with some methods replaced; the rest called on the object itself (they use private fields). */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

function releasing(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return overriding(adapter, {
    startTransaction: async (isolationLevel) => safeEnd(await adapter.startTransaction(isolationLevel)),
  });
}

function safeEnd(tx: Transaction): Transaction {
  return overriding(tx, {
    executeRaw: async (query) => {
      if (query.sql === "ROLLBACK") {
        try {
          return await tx.executeRaw(query);
        } catch {
          return 0; // SQLite already rolled it back
        }
      }
      if (query.sql === "COMMIT") {
        try {
          return await tx.executeRaw(query);
        } catch (error) {
          await tx.executeRaw(ROLLBACK).catch(() => 0);
          await tx.rollback(); // releases the connection's mutex; Prisma will not after a failed COMMIT
          throw error;
        }
      }
      return tx.executeRaw(query);
    },
  });
}
