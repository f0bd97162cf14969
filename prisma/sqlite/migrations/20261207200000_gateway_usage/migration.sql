-- Issue 23: what usage records of a gateway call's upstream (its status, failure and latency).
-- AlterTable
ALTER TABLE "usage_logs" ADD COLUMN "latency_ms" INTEGER;
ALTER TABLE "usage_logs" ADD COLUMN "upstream_error" TEXT;
ALTER TABLE "usage_logs" ADD COLUMN "upstream_status" INTEGER;

