import { serviceTokenIdParamsSchema } from "@/lib/auth/auth-schemas";
import { deleteServiceToken } from "@/lib/auth/service-tokens";
import { notFound } from "@/lib/http/errors";
import { methodNotAllowed, withOperator } from "@/lib/http/handler";
import { apiAuditContext, parseInput } from "@/lib/http/request";
import { json } from "@/lib/http/respond";

export const DELETE = withOperator<{ id: string }>(async (request, { userId, params }) => {
  const { id } = await parseInput(serviceTokenIdParamsSchema, params);
  if (!(await deleteServiceToken(userId, id, apiAuditContext(request, userId))))
    throw notFound("Service token not found");
  return json({ success: true, message: "Service token revoked; verify calls with it fail from the next one" });
});

const notAllowed = methodNotAllowed("DELETE");
export { notAllowed as GET, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH };
