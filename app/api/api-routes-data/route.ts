import { getConfig } from "@/lib/config/env";
import { serveDataRequest } from "@/lib/data-api/serve-data-request";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { clientIp } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

export const GET = apiHandler(async (request) => {
  const url = new URL(request.url);
  const result = await serveDataRequest({
    method: request.method,
    url: url.pathname + url.search,
    headers: request.headers,
    ip: clientIp(request.headers, getConfig().trustProxy),
  });
  return json(result.body, result.status, result.headers);
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
