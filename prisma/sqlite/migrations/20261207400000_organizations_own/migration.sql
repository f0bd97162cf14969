-- The owner_id columns name organizations from here on (a personal organization has its account's
-- id, so no value changes), and an organization holds the plan, limits and working hours.

-- A rebuilt table's AUTOINCREMENT counter restarts at its highest id: kept here and restored
-- below, so no id of a deleted key, log row or account is ever given out again.
CREATE TEMP TABLE "sequences_before" AS SELECT "name", "seq" FROM "sqlite_sequence";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_api_keys" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "owner_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "user" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" DATETIME,
    "last_used_ip" TEXT,
    "expires_at" DATETIME,
    "scopes" TEXT,
    "read_only" BOOLEAN NOT NULL DEFAULT false,
    "ip_allowlist" TEXT,
    "environment" TEXT NOT NULL DEFAULT 'production',
    "rotated_from_id" INTEGER,
    "rotated_at" DATETIME,
    "status_reason" TEXT,
    CONSTRAINT "api_keys_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_api_keys" ("created_at", "digest", "environment", "expires_at", "hint", "id", "ip_allowlist", "last_used_at", "last_used_ip", "name", "owner_id", "read_only", "rotated_at", "rotated_from_id", "scopes", "status", "status_reason", "user") SELECT "created_at", "digest", "environment", "expires_at", "hint", "id", "ip_allowlist", "last_used_at", "last_used_ip", "name", "owner_id", "read_only", "rotated_at", "rotated_from_id", "scopes", "status", "status_reason", "user" FROM "api_keys";
DROP TABLE "api_keys";
ALTER TABLE "new_api_keys" RENAME TO "api_keys";
CREATE UNIQUE INDEX "api_keys_digest_key" ON "api_keys"("digest");
CREATE INDEX "api_keys_owner_id_created_at_idx" ON "api_keys"("owner_id", "created_at");
CREATE INDEX "api_keys_owner_id_rotated_at_idx" ON "api_keys"("owner_id", "rotated_at");
CREATE INDEX "api_keys_rotated_from_id_idx" ON "api_keys"("rotated_from_id");
CREATE TABLE "new_audit_logs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "owner_id" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "api_key_id" INTEGER,
    "api_key_name" TEXT,
    "ip" TEXT,
    "details" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_logs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_audit_logs" ("action", "actor", "api_key_id", "api_key_name", "created_at", "details", "id", "ip", "owner_id") SELECT "action", "actor", "api_key_id", "api_key_name", "created_at", "details", "id", "ip", "owner_id" FROM "audit_logs";
DROP TABLE "audit_logs";
ALTER TABLE "new_audit_logs" RENAME TO "audit_logs";
CREATE INDEX "audit_logs_owner_id_created_at_idx" ON "audit_logs"("owner_id", "created_at");
CREATE INDEX "audit_logs_owner_id_api_key_id_created_at_idx" ON "audit_logs"("owner_id", "api_key_id", "created_at");
CREATE INDEX "audit_logs_created_at_idx" ON "audit_logs"("created_at");
CREATE TABLE "new_organizations" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "personal_user_id" INTEGER,
    "plan" TEXT NOT NULL DEFAULT 'free',
    "subscription" TEXT NOT NULL DEFAULT 'active',
    "rate_limit_per_hour" INTEGER,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "work_start_hour" INTEGER NOT NULL DEFAULT 8,
    "work_end_hour" INTEGER NOT NULL DEFAULT 20,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "organizations_personal_user_id_fkey" FOREIGN KEY ("personal_user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Each personal organization takes its account's plan, limits and working hours (the users
-- table still has them here: it is rebuilt below).
INSERT INTO "new_organizations" ("created_at", "id", "name", "personal_user_id", "plan", "subscription",
  "rate_limit_per_hour", "time_zone", "work_start_hour", "work_end_hour")
SELECT o."created_at", o."id", o."name", o."personal_user_id", COALESCE(u."plan", 'free'),
  COALESCE(u."subscription", 'active'), u."rate_limit_per_hour", COALESCE(u."time_zone", 'UTC'),
  COALESCE(u."work_start_hour", 8), COALESCE(u."work_end_hour", 20)
FROM "organizations" o LEFT JOIN "users" u ON u."id" = o."personal_user_id";
DROP TABLE "organizations";
ALTER TABLE "new_organizations" RENAME TO "organizations";
CREATE UNIQUE INDEX "organizations_personal_user_id_key" ON "organizations"("personal_user_id");
CREATE TABLE "new_revoked_keys" (
    "digest" TEXT NOT NULL PRIMARY KEY,
    "owner_id" INTEGER NOT NULL,
    "key_id" INTEGER NOT NULL,
    "key_name" TEXT NOT NULL,
    "deleted_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "revoked_keys_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_revoked_keys" ("deleted_at", "digest", "key_id", "key_name", "owner_id") SELECT "deleted_at", "digest", "key_id", "key_name", "owner_id" FROM "revoked_keys";
DROP TABLE "revoked_keys";
ALTER TABLE "new_revoked_keys" RENAME TO "revoked_keys";
CREATE INDEX "revoked_keys_owner_id_idx" ON "revoked_keys"("owner_id");
CREATE TABLE "new_usage_auth_failures" (
    "owner_id" INTEGER NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "minute" DATETIME NOT NULL,
    "api_key_name" TEXT,
    "count" INTEGER NOT NULL,
    "first_at" DATETIME NOT NULL,

    PRIMARY KEY ("owner_id", "minute", "api_key_id"),
    CONSTRAINT "usage_auth_failures_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_usage_auth_failures" ("api_key_id", "api_key_name", "count", "first_at", "minute", "owner_id") SELECT "api_key_id", "api_key_name", "count", "first_at", "minute", "owner_id" FROM "usage_auth_failures";
DROP TABLE "usage_auth_failures";
ALTER TABLE "new_usage_auth_failures" RENAME TO "usage_auth_failures";
CREATE INDEX "usage_auth_failures_minute_idx" ON "usage_auth_failures"("minute");
CREATE TABLE "new_usage_hourly" (
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
    CONSTRAINT "usage_hourly_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_usage_hourly" ("api_key_id", "api_key_name", "auth_failed", "first_at", "hour", "last_at", "limited", "ok", "other", "owner_id") SELECT "api_key_id", "api_key_name", "auth_failed", "first_at", "hour", "last_at", "limited", "ok", "other", "owner_id" FROM "usage_hourly";
DROP TABLE "usage_hourly";
ALTER TABLE "new_usage_hourly" RENAME TO "usage_hourly";
CREATE INDEX "usage_hourly_hour_idx" ON "usage_hourly"("hour");
CREATE TABLE "new_usage_hourly_totals" (
    "owner_id" INTEGER NOT NULL,
    "hour" DATETIME NOT NULL,
    "ok" INTEGER NOT NULL DEFAULT 0,
    "auth_failed" INTEGER NOT NULL DEFAULT 0,
    "limited" INTEGER NOT NULL DEFAULT 0,
    "other" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("owner_id", "hour"),
    CONSTRAINT "usage_hourly_totals_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_usage_hourly_totals" ("auth_failed", "hour", "limited", "ok", "other", "owner_id") SELECT "auth_failed", "hour", "limited", "ok", "other", "owner_id" FROM "usage_hourly_totals";
DROP TABLE "usage_hourly_totals";
ALTER TABLE "new_usage_hourly_totals" RENAME TO "usage_hourly_totals";
CREATE INDEX "usage_hourly_totals_hour_idx" ON "usage_hourly_totals"("hour");
CREATE TABLE "new_usage_key_ips" (
    "owner_id" INTEGER NOT NULL,
    "api_key_id" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "api_key_name" TEXT,
    "first_seen_at" DATETIME NOT NULL,
    "last_seen_at" DATETIME NOT NULL,
    "appeared_at" DATETIME NOT NULL,

    PRIMARY KEY ("owner_id", "api_key_id", "ip"),
    CONSTRAINT "usage_key_ips_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_usage_key_ips" ("api_key_id", "api_key_name", "appeared_at", "first_seen_at", "ip", "last_seen_at", "owner_id") SELECT "api_key_id", "api_key_name", "appeared_at", "first_seen_at", "ip", "last_seen_at", "owner_id" FROM "usage_key_ips";
DROP TABLE "usage_key_ips";
ALTER TABLE "new_usage_key_ips" RENAME TO "usage_key_ips";
CREATE INDEX "usage_key_ips_owner_id_appeared_at_idx" ON "usage_key_ips"("owner_id", "appeared_at");
CREATE INDEX "usage_key_ips_owner_id_last_seen_at_idx" ON "usage_key_ips"("owner_id", "last_seen_at");
CREATE INDEX "usage_key_ips_last_seen_at_idx" ON "usage_key_ips"("last_seen_at");
CREATE TABLE "new_usage_logs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "owner_id" INTEGER,
    "api_key_id" INTEGER,
    "api_key_name" TEXT,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status_code" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "user_agent" TEXT NOT NULL,
    "upstream_status" INTEGER,
    "upstream_error" TEXT,
    "latency_ms" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_logs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_usage_logs" ("api_key_id", "api_key_name", "created_at", "id", "ip", "latency_ms", "method", "owner_id", "path", "status_code", "upstream_error", "upstream_status", "user_agent") SELECT "api_key_id", "api_key_name", "created_at", "id", "ip", "latency_ms", "method", "owner_id", "path", "status_code", "upstream_error", "upstream_status", "user_agent" FROM "usage_logs";
DROP TABLE "usage_logs";
ALTER TABLE "new_usage_logs" RENAME TO "usage_logs";
CREATE INDEX "usage_logs_owner_id_created_at_idx" ON "usage_logs"("owner_id", "created_at");
CREATE INDEX "usage_logs_api_key_id_created_at_idx" ON "usage_logs"("api_key_id", "created_at");
CREATE INDEX "usage_logs_created_at_idx" ON "usage_logs"("created_at");
CREATE TABLE "new_usage_owner_ips" (
    "owner_id" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "last_seen_hour" DATETIME NOT NULL,

    PRIMARY KEY ("owner_id", "ip"),
    CONSTRAINT "usage_owner_ips_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_usage_owner_ips" ("ip", "last_seen_hour", "owner_id") SELECT "ip", "last_seen_hour", "owner_id" FROM "usage_owner_ips";
DROP TABLE "usage_owner_ips";
ALTER TABLE "new_usage_owner_ips" RENAME TO "usage_owner_ips";
CREATE INDEX "usage_owner_ips_owner_id_last_seen_hour_idx" ON "usage_owner_ips"("owner_id", "last_seen_hour");
CREATE TABLE "new_users" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "session_version" INTEGER NOT NULL DEFAULT 0,
    "role" TEXT NOT NULL DEFAULT 'user',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);
INSERT INTO "new_users" ("created_at", "email", "id", "password_hash", "role", "session_version", "updated_at", "username") SELECT "created_at", "email", "id", "password_hash", "role", "session_version", "updated_at", "username" FROM "users";
DROP TABLE "users";
ALTER TABLE "new_users" RENAME TO "users";
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- The counters as they were (and organizations made with POST /api/orgs still from 1000000001).
UPDATE "sqlite_sequence" SET "seq" = MAX("seq", (SELECT b."seq" FROM "sequences_before" b WHERE b."name" = "sqlite_sequence"."name"))
WHERE "name" IN (SELECT "name" FROM "sequences_before");
INSERT INTO "sqlite_sequence" ("name", "seq") SELECT b."name", b."seq" FROM "sequences_before" b
WHERE NOT EXISTS (SELECT 1 FROM "sqlite_sequence" s WHERE s."name" = b."name");
DROP TABLE "sequences_before";
