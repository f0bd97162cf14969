-- Rollups of usage_logs that the usage summary reads (lib/usage/rollups.ts writes them with each batch).
-- CreateTable
CREATE TABLE "usage_hourly" (
    "owner_id" INTEGER NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "api_key_name" TEXT,
    "ok" INTEGER NOT NULL DEFAULT 0,
    "auth_failed" INTEGER NOT NULL DEFAULT 0,
    "limited" INTEGER NOT NULL DEFAULT 0,
    "other" INTEGER NOT NULL DEFAULT 0,
    "first_at" TIMESTAMP(3) NOT NULL,
    "last_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "usage_hourly_pkey" PRIMARY KEY ("owner_id","hour","api_key_id")
);

-- CreateTable
CREATE TABLE "usage_hourly_totals" (
    "owner_id" INTEGER NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "ok" INTEGER NOT NULL DEFAULT 0,
    "auth_failed" INTEGER NOT NULL DEFAULT 0,
    "limited" INTEGER NOT NULL DEFAULT 0,
    "other" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "usage_hourly_totals_pkey" PRIMARY KEY ("owner_id","hour")
);

-- CreateTable
CREATE TABLE "usage_auth_failures" (
    "owner_id" INTEGER NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "api_key_name" TEXT,
    "count" INTEGER NOT NULL,
    "first_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "usage_auth_failures_pkey" PRIMARY KEY ("owner_id","minute","api_key_id")
);

-- CreateTable
CREATE TABLE "usage_key_ips" (
    "owner_id" INTEGER NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "api_key_name" TEXT,
    "first_seen_at" TIMESTAMP(3) NOT NULL,
    "last_seen_at" TIMESTAMP(3) NOT NULL,
    "appeared_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "usage_key_ips_pkey" PRIMARY KEY ("owner_id","api_key_id","ip")
);

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

-- AddForeignKey
ALTER TABLE "usage_hourly" ADD CONSTRAINT "usage_hourly_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_hourly_totals" ADD CONSTRAINT "usage_hourly_totals_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_auth_failures" ADD CONSTRAINT "usage_auth_failures_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_key_ips" ADD CONSTRAINT "usage_key_ips_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Backfill from the rows already logged, so an upgraded install keeps its charts and alerts.
-- A pair's appeared_at starts as its first call: the logs' gaps of 7 days are not replayed.
INSERT INTO "usage_hourly" ("owner_id", "api_key_id", "hour", "api_key_name", "ok", "auth_failed", "limited", "other", "first_at", "last_at")
SELECT "owner_id", COALESCE("api_key_id", 0), date_trunc('hour', "created_at"), MAX("api_key_name"),
       SUM(CASE WHEN "status_code" BETWEEN 200 AND 299 THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" IN (401, 403) THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" = 429 THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" BETWEEN 200 AND 299 OR "status_code" IN (401, 403, 429) THEN 0 ELSE 1 END),
       MIN("created_at"), MAX("created_at")
FROM "usage_logs" WHERE "owner_id" IS NOT NULL
GROUP BY "owner_id", COALESCE("api_key_id", 0), date_trunc('hour', "created_at");

INSERT INTO "usage_hourly_totals" ("owner_id", "hour", "ok", "auth_failed", "limited", "other")
SELECT "owner_id", date_trunc('hour', "created_at"),
       SUM(CASE WHEN "status_code" BETWEEN 200 AND 299 THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" IN (401, 403) THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" = 429 THEN 1 ELSE 0 END),
       SUM(CASE WHEN "status_code" BETWEEN 200 AND 299 OR "status_code" IN (401, 403, 429) THEN 0 ELSE 1 END)
FROM "usage_logs" WHERE "owner_id" IS NOT NULL
GROUP BY "owner_id", date_trunc('hour', "created_at");

INSERT INTO "usage_auth_failures" ("owner_id", "api_key_id", "minute", "api_key_name", "count", "first_at")
SELECT "owner_id", COALESCE("api_key_id", 0), date_trunc('minute', "created_at"), MAX("api_key_name"), COUNT(*), MIN("created_at")
FROM "usage_logs" WHERE "owner_id" IS NOT NULL AND "status_code" = 401
GROUP BY "owner_id", COALESCE("api_key_id", 0), date_trunc('minute', "created_at");

INSERT INTO "usage_key_ips" ("owner_id", "api_key_id", "ip", "api_key_name", "first_seen_at", "last_seen_at", "appeared_at")
SELECT "owner_id", COALESCE("api_key_id", 0), "ip", MAX("api_key_name"), MIN("created_at"), MAX("created_at"), MIN("created_at")
FROM "usage_logs" WHERE "owner_id" IS NOT NULL
GROUP BY "owner_id", COALESCE("api_key_id", 0), "ip";
