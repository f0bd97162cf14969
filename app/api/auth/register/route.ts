import { createUser, toUserResponse } from "@/lib/auth/users";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { registerSchema } from "@/lib/validation/schemas";

export const POST = apiHandler(async (request) => {
  const input = await readJson(request, registerSchema);
  const user = await createUser(input);
  return json(toUserResponse(user), 201);
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
