import { getConfig } from "@/lib/config/env";
import { serveDataRequest, serveDataWrite } from "@/lib/data-api/serve-data-request";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { clientIp } from "@/lib/net/client-ip";
import { json } from "@/lib/http/respond";

function dataRequest(request: Request) {
  const url = new URL(request.url);
  return {
    method: request.method,
    url: url.pathname + url.search,
    headers: request.headers,
    ip: clientIp(request.headers, getConfig().trustProxy),
  };
}

export const GET = apiHandler(async (request) => {
  const result = await serveDataRequest(dataRequest(request));
  return json(result.body, result.status, result.headers);
});

// The data API only reads: a write method is a 405, except with a read-only key, whose refusal
// (403, the reference's body) is what read_only promises.
const notAllowed = methodNotAllowed("GET");
const write = apiHandler(async (request, context) => {
  const refused = await serveDataWrite(dataRequest(request));
  if (refused) return json(refused.body, refused.status, refused.headers);
  return notAllowed(request, context);
});
export { write as POST, write as PUT, write as PATCH, write as DELETE };
