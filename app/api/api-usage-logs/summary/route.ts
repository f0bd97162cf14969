import { getAccount } from "@/lib/auth/users";
import { unauthenticated } from "@/lib/http/errors";
import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { readQuery } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { usageSummary } from "@/lib/usage/summary";
import { summaryQuerySchema } from "@/lib/validation/schemas";

export const GET = withBearer(async (request, { userId }) => {
  const { range } = await readQuery(request, summaryQuerySchema);
  const account = await getAccount(userId);
  if (!account) throw unauthenticated();
  const hours = { timeZone: account.timeZone, startHour: account.workStartHour, endHour: account.workEndHour };
  return json(await usageSummary(userId, range, hours));
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
