import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { json } from "@/lib/http/respond";
import { createKey, toKeyResponse } from "@/lib/keys/keys";
import { generateKeySchema } from "@/lib/validation/schemas";

export const POST = withBearer(async (request, { userId }) => {
  const input = await readJson(request, generateKeySchema);
  const { key, secret } = await createKey(userId, input);
  const { id, api_key_name, user, status, created_at, ...rest } = toKeyResponse(key);
  // The reference's fields in its order, then extras. The only response that carries the secret.
  return json({ id, api_key_name, api_key: secret, user, status, created_at, ...rest }, 201);
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
