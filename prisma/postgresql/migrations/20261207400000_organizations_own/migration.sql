-- The owner_id columns name organizations from here on (a personal organization has its account's
-- id, so no value changes), and an organization holds the plan, limits and working hours.

-- DropForeignKey
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_owner_id_fkey";

-- DropForeignKey
ALTER TABLE "audit_logs" DROP CONSTRAINT "audit_logs_owner_id_fkey";

-- DropForeignKey
ALTER TABLE "revoked_keys" DROP CONSTRAINT "revoked_keys_owner_id_fkey";

-- DropForeignKey
ALTER TABLE "usage_auth_failures" DROP CONSTRAINT "usage_auth_failures_owner_id_fkey";

-- DropForeignKey
ALTER TABLE "usage_hourly" DROP CONSTRAINT "usage_hourly_owner_id_fkey";

-- DropForeignKey
ALTER TABLE "usage_hourly_totals" DROP CONSTRAINT "usage_hourly_totals_owner_id_fkey";

-- DropForeignKey
ALTER TABLE "usage_key_ips" DROP CONSTRAINT "usage_key_ips_owner_id_fkey";

-- DropForeignKey
ALTER TABLE "usage_logs" DROP CONSTRAINT "usage_logs_owner_id_fkey";

-- DropForeignKey
ALTER TABLE "usage_owner_ips" DROP CONSTRAINT "usage_owner_ips_owner_id_fkey";

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "plan" TEXT NOT NULL DEFAULT 'free',
ADD COLUMN     "rate_limit_per_hour" INTEGER,
ADD COLUMN     "subscription" TEXT NOT NULL DEFAULT 'active',
ADD COLUMN     "time_zone" TEXT NOT NULL DEFAULT 'UTC',
ADD COLUMN     "work_end_hour" INTEGER NOT NULL DEFAULT 20,
ADD COLUMN     "work_start_hour" INTEGER NOT NULL DEFAULT 8;

-- Each personal organization takes its account's plan, limits and working hours.
UPDATE "organizations" o SET "plan" = u."plan", "subscription" = u."subscription",
  "rate_limit_per_hour" = u."rate_limit_per_hour", "time_zone" = u."time_zone",
  "work_start_hour" = u."work_start_hour", "work_end_hour" = u."work_end_hour"
FROM "users" u WHERE u."id" = o."personal_user_id";

-- AlterTable
ALTER TABLE "users" DROP COLUMN "plan",
DROP COLUMN "rate_limit_per_hour",
DROP COLUMN "subscription",
DROP COLUMN "time_zone",
DROP COLUMN "work_end_hour",
DROP COLUMN "work_start_hour";

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "revoked_keys" ADD CONSTRAINT "revoked_keys_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_logs" ADD CONSTRAINT "usage_logs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_hourly" ADD CONSTRAINT "usage_hourly_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_hourly_totals" ADD CONSTRAINT "usage_hourly_totals_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_auth_failures" ADD CONSTRAINT "usage_auth_failures_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_key_ips" ADD CONSTRAINT "usage_key_ips_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_owner_ips" ADD CONSTRAINT "usage_owner_ips_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_logs" ADD CONSTRAINT "audit_logs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

