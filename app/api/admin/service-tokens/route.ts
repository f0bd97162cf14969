import { createServiceTokenSchema } from "@/lib/auth/auth-schemas";
import { createServiceToken, listServiceTokens, toServiceTokenResponse } from "@/lib/auth/service-tokens";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { apiAuditContext, readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

export const GET = withOperator(async () => {
  const tokens = await listServiceTokens();
  return json({ data: tokens.map(toServiceTokenResponse) });
});

/** 201 with the token, shown this once: only its digest is stored. */
export const POST = withOperator(async (request, { userId }) => {
  const { name } = await readJson(request, createServiceTokenSchema);
  const { row, token } = await createServiceToken(userId, name, apiAuditContext(request, userId));
  return json({ id: row.id, name: row.name, token }, 201);
});

const notAllowed = methodNotAllowed("GET", "POST");
export { notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
