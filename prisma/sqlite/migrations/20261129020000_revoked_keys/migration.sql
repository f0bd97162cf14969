-- CreateTable
CREATE TABLE "revoked_keys" (
    "digest" TEXT NOT NULL PRIMARY KEY,
    "owner_id" INTEGER NOT NULL,
    "key_id" INTEGER NOT NULL,
    "key_name" TEXT NOT NULL,
    "deleted_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "revoked_keys_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "revoked_keys_owner_id_idx" ON "revoked_keys"("owner_id");

