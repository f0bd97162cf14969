import { redirect } from "next/navigation";
import { sessionUserId } from "./next-auth";
import { getUser, type PublicUser } from "./users";

/** For portal pages: the signed-in account, or a redirect to /login. */
export async function requireAccount(): Promise<PublicUser> {
  const userId = await sessionUserId();
  const user = userId ? await getUser(userId) : null;
  if (!user) redirect("/login");
  return user;
}
