-- CreateTable
CREATE TABLE "usage_owner_ips" (
    "owner_id" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "last_seen_hour" DATETIME NOT NULL,

    PRIMARY KEY ("owner_id", "ip"),
    CONSTRAINT "usage_owner_ips_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

-- CreateIndex
CREATE INDEX "usage_owner_ips_owner_id_last_seen_hour_idx" ON "usage_owner_ips"("owner_id", "last_seen_hour");

-- Backfill from the rows already logged, as the rollups migration does for usage_key_ips.
-- DateTime values are ISO text here: a prefix is the hour.
INSERT INTO "usage_owner_ips" ("owner_id", "ip", "last_seen_hour")
SELECT "owner_id", "ip", substr(MAX("created_at"), 1, 13) || ':00:00.000+00:00'
FROM "usage_logs" WHERE "owner_id" IS NOT NULL
GROUP BY "owner_id", "ip";
