-- Sudo mode: when a portal session last entered its password or a two-factor code again
-- CreateTable
CREATE TABLE "session_reauthentications" (
    "sid" TEXT NOT NULL PRIMARY KEY,
    "confirmed_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "session_reauthentications_confirmed_at_idx" ON "session_reauthentications"("confirmed_at");

