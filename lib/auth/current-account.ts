import "server-only";
import { cache } from "react";
import { notFound, redirect } from "next/navigation";
import { sessionClaims } from "./next-auth";
import { roleOf } from "./roles";
import { sessionRevoked } from "./session-revocation";
import { getAccountWithSessionVersion, type Account } from "./users";

/**
 * The signed-in account, or null (also when the cookie names an account that no longer exists,
 * or a session signed out here or everywhere: sessionUserId's checks). Once per request (React's
 * cache): the portal layout and its page both ask. The account and its session version come in
 * one query, beside the sign-out check, not three (sessionUserId and then the account).
 */
export const currentAccount = cache(async (): Promise<Account | null> => {
  const claims = await sessionClaims();
  if (!claims) return null;
  const [found, revoked] = await Promise.all([getAccountWithSessionVersion(claims.id), sessionRevoked(claims.sid)]);
  if (!found || revoked) return null;
  const { sessionVersion, ...account } = found;
  return sessionVersion === claims.sv ? account : null;
});

/** For portal pages: the signed-in account, or a redirect to /login. */
export async function requireAccount(): Promise<Account> {
  const account = await currentAccount();
  if (!account) redirect("/login");
  return account;
}

/**
 * For the operator's pages: the signed-in operator; any other account gets the 404 page (the
 * console does not exist for it, as the REST API answers 403). The role is read per request.
 */
export async function requireOperator(): Promise<Account> {
  const account = await requireAccount();
  if ((await roleOf(account.id)) !== "operator") notFound();
  return account;
}
