import { getAccount } from "@/lib/auth/users";
import { unauthenticated } from "@/lib/http/errors";
import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { usageSummaryForAccount } from "@/lib/usage/summary";
import { summaryQuerySchema } from "@/lib/usage/usage-schemas";

export const GET = withBearer(async (request, { userId }) => {
  const { range } = await readQuery(request, summaryQuerySchema);
  const account = await getAccount(userId);
  if (!account) throw unauthenticated();
  return json(await usageSummaryForAccount(account, range));
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
