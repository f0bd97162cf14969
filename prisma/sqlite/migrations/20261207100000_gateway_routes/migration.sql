-- Issue 23: operator accounts, routes an operator defines (payload or upstream), service tokens.
-- CreateTable
CREATE TABLE "service_tokens" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "created_by_id" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" DATETIME,
    CONSTRAINT "service_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable
ALTER TABLE "users" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'user';

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_api_routes" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "min_plan" TEXT NOT NULL DEFAULT 'free',
    "payload" TEXT,
    "upstream_url" TEXT,
    "methods" TEXT NOT NULL DEFAULT 'GET',
    "timeout_ms" INTEGER NOT NULL DEFAULT 10000,
    "built_in" BOOLEAN NOT NULL DEFAULT false,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
-- The reference's sample routes keep their ids and get the slugs the seed gives them, read-only.
-- Any other route gets route-{id}, which an operator can rename.
INSERT INTO "new_api_routes" ("created_at", "updated_at", "description", "id", "min_plan", "name", "payload", "slug", "built_in")
SELECT "created_at", "created_at", "description", "id", "min_plan", "name", "payload",
  CASE "id" WHEN 123 THEN 'sample' WHEN 124 THEN 'professional' WHEN 125 THEN 'status' ELSE 'route-' || "id" END,
  "id" IN (123, 124, 125)
FROM "api_routes";
DROP TABLE "api_routes";
ALTER TABLE "new_api_routes" RENAME TO "api_routes";
CREATE UNIQUE INDEX "api_routes_slug_key" ON "api_routes"("slug");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "service_tokens_digest_key" ON "service_tokens"("digest");

-- CreateIndex
CREATE INDEX "service_tokens_created_by_id_idx" ON "service_tokens"("created_by_id");

