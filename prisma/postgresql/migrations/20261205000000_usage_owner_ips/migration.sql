-- CreateTable
CREATE TABLE "usage_owner_ips" (
    "owner_id" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "last_seen_hour" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "usage_owner_ips_pkey" PRIMARY KEY ("owner_id","ip")
);

-- CreateIndex
CREATE INDEX "usage_owner_ips_owner_id_last_seen_hour_idx" ON "usage_owner_ips"("owner_id", "last_seen_hour");

-- AddForeignKey
ALTER TABLE "usage_owner_ips" ADD CONSTRAINT "usage_owner_ips_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill from the rows already logged, as the rollups migration does for usage_key_ips.
INSERT INTO "usage_owner_ips" ("owner_id", "ip", "last_seen_hour")
SELECT "owner_id", "ip", date_trunc('hour', MAX("created_at"))
FROM "usage_logs" WHERE "owner_id" IS NOT NULL
GROUP BY "owner_id", "ip";
