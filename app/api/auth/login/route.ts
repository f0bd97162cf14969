import { issueTokenPair } from "@/lib/auth/refresh-tokens";
import { verifyCredentials } from "@/lib/auth/users";
import { unauthenticated } from "@/lib/http/errors";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { loginSchema } from "@/lib/validation/schemas";

export const POST = apiHandler(async (request) => {
  const { email, password } = await readJson(request, loginSchema);
  // Unknown email and wrong password: same message, same bcrypt cost.
  const user = await verifyCredentials(email, password);
  if (!user) throw unauthenticated();
  return json(await issueTokenPair(user.id));
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
