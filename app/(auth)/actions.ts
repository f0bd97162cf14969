"use server";

import { createUser, toUserResponse } from "@/lib/auth/users";
import { runAction } from "@/lib/http/portal-action";
import { fieldErrors, formatZodError } from "@/lib/validation/format-zod-error";
import { registerSchema } from "@/lib/validation/schemas";

// The portal's sign-up: the same schema and lib call as POST /api/auth/register.
export async function registerAction(input: unknown) {
  const parsed = registerSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false as const, message: formatZodError(parsed.error), fieldErrors: fieldErrors(parsed.error) };
  }
  return runAction(async () => toUserResponse(await createUser(parsed.data)));
}
