-- The summary's whole-range sums of recently active organizations, read from an index alone
-- CreateIndex
CREATE INDEX "usage_hourly_totals_owner_covering_idx" ON "usage_hourly_totals"("owner_id", "hour", "ok", "auth_failed", "limited", "other");

