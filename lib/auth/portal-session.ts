import { cache } from "react";
import { redirect } from "next/navigation";
import { sessionUserId } from "./next-auth";
import { getAccount, type Account } from "./users";

/**
 * The signed-in account, or null (also when the cookie names an account that no longer exists).
 * Once per request (React's cache): the portal layout and its page both ask, and each asking was
 * a session decode and two queries.
 */
export const currentAccount = cache(async (): Promise<Account | null> => {
  const userId = await sessionUserId();
  return userId ? getAccount(userId) : null;
});

/** For portal pages: the signed-in account, or a redirect to /login. */
export async function requireAccount(): Promise<Account> {
  const account = await currentAccount();
  if (!account) redirect("/login");
  return account;
}
