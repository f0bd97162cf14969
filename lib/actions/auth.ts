"use server";

import "server-only";
import { headers } from "next/headers";
import { signUp } from "@/lib/auth/sign-in";
import { toUserResponse } from "@/lib/auth/users";
import { getConfig } from "@/lib/config/env";
import { validatedAction } from "@/lib/http/portal-action";
import { clientIp } from "@/lib/net/client-ip";
import { registerSchema } from "@/lib/auth/auth-schemas";

// The portal's sign-up: the same schema, limit and lib call as POST /api/auth/register.
export async function registerAction(input: unknown) {
  const ip = clientIp(await headers(), getConfig().trustProxy);
  return validatedAction(registerSchema, input, async (data) => toUserResponse(await signUp(data, ip)));
}
