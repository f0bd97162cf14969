import { redirect } from "next/navigation";
import { sessionUserId } from "./next-auth";
import { getAccount, type Account } from "./users";

/** For portal pages: the signed-in account, or a redirect to /login. */
export async function requireAccount(): Promise<Account> {
  const userId = await sessionUserId();
  const user = userId ? await getAccount(userId) : null;
  if (!user) redirect("/login");
  return user;
}
