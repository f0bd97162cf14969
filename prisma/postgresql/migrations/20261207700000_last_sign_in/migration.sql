-- When each account last signed in with its password (issue 25): the operator's accounts list shows it.
-- AlterTable
ALTER TABLE "users" ADD COLUMN     "last_sign_in_at" TIMESTAMP(3);
