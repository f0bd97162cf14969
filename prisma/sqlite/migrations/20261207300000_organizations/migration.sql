-- CreateTable
CREATE TABLE "organizations" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "personal_user_id" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "organizations_personal_user_id_fkey" FOREIGN KEY ("personal_user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "memberships" (
    "organization_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("organization_id", "user_id"),
    CONSTRAINT "memberships_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "organizations_personal_user_id_key" ON "organizations"("personal_user_id");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "memberships"("user_id");


-- Every account's personal organization has the account's id (lib/orgs/organizations.ts): the
-- owner_id columns that are to name organizations then name the same rows with no rewrite.
-- Named after the account's username. Its owner is the account.
INSERT INTO "organizations" ("id", "name", "personal_user_id", "created_at")
  SELECT "id", "username", "id", "created_at" FROM "users";
INSERT INTO "memberships" ("organization_id", "user_id", "role", "created_at")
  SELECT "id", "id", 'owner', "created_at" FROM "users";

-- Organizations made with POST /api/orgs take ids from 1000000001 up, a range no account id reaches.
DELETE FROM "sqlite_sequence" WHERE "name" = 'organizations';
INSERT INTO "sqlite_sequence" ("name", "seq") VALUES ('organizations', 1000000000);
