"use server";

import { createUser, toUserResponse } from "@/lib/auth/users";
import { validatedAction } from "@/lib/http/portal-action";
import { registerSchema } from "@/lib/validation/schemas";

// The portal's sign-up: the same schema and lib call as POST /api/auth/register.
export async function registerAction(input: unknown) {
  return validatedAction(registerSchema, input, async (data) => toUserResponse(await createUser(data)));
}
