-- Rotation, expiry, scopes, IP allow-lists, environments, leak reports, and the audit log.
-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "environment" TEXT NOT NULL DEFAULT 'production',
ADD COLUMN     "ip_allowlist" TEXT,
ADD COLUMN     "read_only" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "rotated_at" TIMESTAMP(3),
ADD COLUMN     "status_reason" TEXT;

-- CreateTable
CREATE TABLE "audit_logs" (
    "id" SERIAL NOT NULL,
    "owner_id" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "api_key_id" INTEGER,
    "api_key_name" TEXT,
    "ip" TEXT,
    "details" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_logs_owner_id_created_at_idx" ON "audit_logs"("owner_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_logs_owner_id_api_key_id_created_at_idx" ON "audit_logs"("owner_id", "api_key_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_logs_created_at_idx" ON "audit_logs"("created_at");

-- AddForeignKey
ALTER TABLE "audit_logs" ADD CONSTRAINT "audit_logs_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
