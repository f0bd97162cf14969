-- Rollups of usage_logs that the usage summary reads (lib/usage/rollups.ts writes them with each batch).
-- WITHOUT ROWID (hand-written; Prisma's schema cannot say it): each rollup table is stored in its
-- primary key's order, which is the order the usage summary reads it in.
-- CreateTable
CREATE TABLE "usage_hourly" (
    "owner_id" INTEGER NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "hour" DATETIME NOT NULL,
    "api_key_name" TEXT,
    "ok" INTEGER NOT NULL DEFAULT 0,
    "auth_failed" INTEGER NOT NULL DEFAULT 0,
    "limited" INTEGER NOT NULL DEFAULT 0,
    "other" INTEGER NOT NULL DEFAULT 0,
    "first_at" DATETIME NOT NULL,
    "last_at" DATETIME NOT NULL,

    PRIMARY KEY ("owner_id", "hour", "api_key_id"),
    CONSTRAINT "usage_hourly_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

-- CreateTable
CREATE TABLE "usage_hourly_totals" (
    "owner_id" INTEGER NOT NULL,
    "hour" DATETIME NOT NULL,
    "ok" INTEGER NOT NULL DEFAULT 0,
    "auth_failed" INTEGER NOT NULL DEFAULT 0,
    "limited" INTEGER NOT NULL DEFAULT 0,
    "other" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("owner_id", "hour"),
    CONSTRAINT "usage_hourly_totals_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

-- CreateTable
CREATE TABLE "usage_auth_failures" (
    "owner_id" INTEGER NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "minute" DATETIME NOT NULL,
    "api_key_name" TEXT,
    "count" INTEGER NOT NULL,
    "first_at" DATETIME NOT NULL,

    PRIMARY KEY ("owner_id", "minute", "api_key_id"),
    CONSTRAINT "usage_auth_failures_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

-- CreateTable
CREATE TABLE "usage_key_ips" (
    "owner_id" INTEGER NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "api_key_name" TEXT,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL,
    "appeared_at" DATETIME NOT NULL,

    PRIMARY KEY ("owner_id", "api_key_id", "ip"),
    CONSTRAINT "usage_key_ips_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

-- CreateIndex
CREATE INDEX "usage_hourly_hour_idx" ON "usage_hourly"("hour");

-- CreateIndex
CREATE INDEX "usage_hourly_totals_hour_idx" ON "usage_hourly_totals"("hour");

-- CreateIndex
CREATE INDEX "usage_auth_failures_minute_idx" ON "usage_auth_failures"("minute");

-- CreateIndex
CREATE INDEX "usage_key_ips_owner_id_appeared_at_idx" ON "usage_key_ips"("owner_id", "appeared_at");

-- CreateIndex
CREATE INDEX "usage_key_ips_owner_id_last_seen_at_idx" ON "usage_key_ips"("owner_id", "last_seen_at");

-- CreateIndex
CREATE INDEX "usage_key_ips_last_seen_at_idx" ON "usage_key_ips"("last_seen_at");


-- Backfill from the rows already logged, so an upgraded install keeps its charts and alerts.
-- DateTime values are ISO text here ("2026-11-30T14:05:09.123+00:00"): a prefix is the hour or minute.
-- A pair's appeared_at starts as its first call: the logs' gaps of 7 days are not replayed.
INSERT INTO "usage_hourly" ("owner_id", "api_key_id", "hour", "api_key_name", "ok", "auth_failed", "limited", "other", "first_at", "last_at")
SELECT "owner_id", COALESCE("api_key_id", 0), substr("created_at", 1, 13) || ':00:00.000+00:00', MAX("api_key_name"),
       SUM(CASE WHEN "status_code" BETWEEN 200 AND 299 THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" IN (401, 403) THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" = 429 THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" BETWEEN 200 AND 299 OR "status_code" IN (401, 403, 429) THEN 0 ELSE 1 END),
       MIN("created_at"), MAX("created_at")
FROM "usage_logs" WHERE "owner_id" IS NOT NULL
GROUP BY "owner_id", COALESCE("api_key_id", 0), substr("created_at", 1, 13);

INSERT INTO "usage_hourly_totals" ("owner_id", "hour", "ok", "auth_failed", "limited", "other")
SELECT "owner_id", substr("created_at", 1, 13) || ':00:00.000+00:00',
       SUM(CASE WHEN "status_code" BETWEEN 200 AND 299 THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" IN (401, 403) THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" = 429 THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" BETWEEN 200 AND 299 OR "status_code" IN (401, 403, 429) THEN 0 ELSE 1 END)
FROM "usage_logs" WHERE "owner_id" IS NOT NULL
GROUP BY "owner_id", substr("created_at", 1, 13);

INSERT INTO "usage_auth_failures" ("owner_id", "api_key_id", "minute", "api_key_name", "count", "first_at")
SELECT "owner_id", COALESCE("api_key_id", 0), substr("created_at", 1, 16) || ':00.000+00:00', MAX("api_key_name"), COUNT(*), MIN("created_at")
FROM "usage_logs" WHERE "owner_id" IS NOT NULL AND "status_code" = 401
GROUP BY "owner_id", COALESCE("api_key_id", 0), substr("created_at", 1, 16);

INSERT INTO "usage_key_ips" ("owner_id", "api_key_id", "ip", "api_key_name", "first_seen_at", "last_seen_at", "appeared_at")
SELECT "owner_id", COALESCE("api_key_id", 0), "ip", MAX("api_key_name"), MIN("created_at"), MAX("created_at"), MIN("created_at")
FROM "usage_logs" WHERE "owner_id" IS NOT NULL
GROUP BY "owner_id", COALESCE("api_key_id", 0), "ip";
