-- Refused data-API calls counted per client and hour, cache invalidations the admin CLI leaves for
-- running servers, and the successor lookup of the key limit.
-- CreateTable
CREATE TABLE "refused_calls" (
    "ip" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("ip", "hour")
);

-- CreateTable
CREATE TABLE "cache_invalidations" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "payload" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "refused_calls_hour_idx" ON "refused_calls"("hour");

-- CreateIndex
CREATE INDEX "cache_invalidations_created_at_idx" ON "cache_invalidations"("created_at");

-- CreateIndex
CREATE INDEX "api_keys_rotated_from_id_idx" ON "api_keys"("rotated_from_id");

