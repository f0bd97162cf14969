import { signUp } from "@/lib/auth/sign-in";
import { toUserResponse } from "@/lib/auth/users";
import { getConfig } from "@/lib/config/env";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { clientIp } from "@/lib/net/client-ip";
import { json } from "@/lib/http/respond";
import { registerSchema } from "@/lib/auth/auth-schemas";

export const POST = apiHandler(async (request) => {
  const input = await readJson(request, registerSchema);
  const user = await signUp(input, clientIp(request.headers, getConfig().trustProxy));
  return json(toUserResponse(user), 201);
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
