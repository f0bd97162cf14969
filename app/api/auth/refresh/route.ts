import { rotateRefreshToken } from "@/lib/auth/refresh-tokens";
import { unauthenticated } from "@/lib/http/errors";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { clientIp } from "@/lib/net/client-ip";
import { getConfig } from "@/lib/config/env";
import { json } from "@/lib/http/respond";
import { refreshSchema } from "@/lib/auth/auth-schemas";

export const POST = apiHandler(async (request) => {
  const { refresh_token } = await readJson(request, refreshSchema);
  const pair = await rotateRefreshToken(refresh_token, new Date(), clientIp(request.headers, getConfig().trustProxy));
  if (!pair) throw unauthenticated();
  return json(pair);
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
