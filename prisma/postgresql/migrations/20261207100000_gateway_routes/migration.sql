-- Issue 23: operator accounts, routes an operator defines (payload or upstream), service tokens.
-- AlterTable
ALTER TABLE "api_routes" ADD COLUMN     "built_in" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "methods" TEXT NOT NULL DEFAULT 'GET',
ADD COLUMN     "slug" TEXT,
ADD COLUMN     "timeout_ms" INTEGER NOT NULL DEFAULT 10000,
ADD COLUMN     "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "upstream_url" TEXT,
ALTER COLUMN "payload" DROP NOT NULL;

-- The reference's sample routes get the slugs the seed gives them, read-only. Any other route
-- gets route-{id}, which an operator can rename.
UPDATE "api_routes" SET "slug" = CASE "id" WHEN 123 THEN 'sample' WHEN 124 THEN 'professional' WHEN 125 THEN 'status' ELSE 'route-' || "id" END,
  "built_in" = "id" IN (123, 124, 125), "updated_at" = "created_at";
ALTER TABLE "api_routes" ALTER COLUMN "slug" SET NOT NULL;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "role" TEXT NOT NULL DEFAULT 'user';

-- CreateTable
CREATE TABLE "service_tokens" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "created_by_id" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),

    CONSTRAINT "service_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "service_tokens_digest_key" ON "service_tokens"("digest");

-- CreateIndex
CREATE INDEX "service_tokens_created_by_id_idx" ON "service_tokens"("created_by_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_routes_slug_key" ON "api_routes"("slug");

-- AddForeignKey
ALTER TABLE "service_tokens" ADD CONSTRAINT "service_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

