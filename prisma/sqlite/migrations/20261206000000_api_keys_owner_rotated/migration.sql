-- CreateIndex
CREATE INDEX "api_keys_owner_id_rotated_at_idx" ON "api_keys"("owner_id", "rotated_at");
