"use server";

import "server-only";
import { z } from "zod";
import { signOutEverywhere } from "@/lib/auth/session-revocation";
import { accountAction, portalAuditContext } from "@/lib/http/portal-action";

// The account menu's "Sign out everywhere": every portal session and REST login of the account ends.
export async function signOutEverywhereAction() {
  return accountAction(z.undefined(), undefined, async (userId) => {
    await signOutEverywhere(userId, await portalAuditContext());
    return true;
  });
}
