-- Who made each key, and which member acted in each audit entry (issue 24).

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN "created_by_id" INTEGER;

-- AlterTable
ALTER TABLE "audit_logs" ADD COLUMN "actor_user_id" INTEGER;

-- Until now every organization was its account's personal one, whose id is the account's: the
-- account made its keys, and did what its portal and API entries record.
UPDATE "api_keys" SET "created_by_id" = "owner_id";
UPDATE "audit_logs" SET "actor_user_id" = "owner_id"
WHERE "actor" IN ('portal', 'api') AND "action" <> 'auth.sign_in_failed';
