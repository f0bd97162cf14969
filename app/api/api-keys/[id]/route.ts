import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { parseInput } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { deleteKey, getKey, toKeyResponse } from "@/lib/keys/keys";
import { keyIdParamsSchema } from "@/lib/validation/schemas";

export const GET = withBearer<{ id: string }>(async (_request, { userId, params }) => {
  const { id } = await parseInput(keyIdParamsSchema, params);
  const key = await getKey(userId, id);
  if (!key) throw notFound("API key not found");
  return json(toKeyResponse(key));
});

export const DELETE = withBearer<{ id: string }>(async (_request, { userId, params }) => {
  const { id } = await parseInput(keyIdParamsSchema, params);
  if (!(await deleteKey(userId, id))) throw notFound("API key not found");
  return json({ success: true, message: "API key deleted; it stops working immediately" });
});

const notAllowed = methodNotAllowed("GET", "DELETE");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH };
