-- The operator's summary across organizations reads the hourly totals of a range from one covering index (issue 25), not a table row per index entry. It replaces the index on hour alone.
-- DropIndex
DROP INDEX "usage_hourly_totals_hour_idx";
-- CreateIndex
CREATE INDEX "usage_hourly_totals_covering_idx" ON "usage_hourly_totals"("hour", "owner_id", "ok", "auth_failed", "limited", "other");
