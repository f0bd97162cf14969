import { issueTokenPair } from "@/lib/auth/refresh-tokens";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { getConfig } from "@/lib/config/env";
import { ApiError, unauthenticated } from "@/lib/http/errors";
import { apiHandler, methodNotAllowed } from "@/lib/http/handler";
import { readJson } from "@/lib/http/request";
import { clientIp } from "@/lib/net/client-ip";
import { json } from "@/lib/http/respond";
import { loginSchema } from "@/lib/auth/auth-schemas";

export const POST = apiHandler(async (request) => {
  const { email, password, totp_code, recovery_code } = await readJson(request, loginSchema);
  // Unknown email and wrong password: same message, same bcrypt cost.
  const result = await signInWithPassword(
    email,
    password,
    clientIp(request.headers, getConfig().trustProxy),
    Date.now(),
    "api",
    { totp_code, recovery_code },
  );
  if (result.ok) return json(await issueTokenPair(result.user.id));
  // Only after the right password: two-factor sign-in is on and wants its code.
  if (!result.throttled && result.secondFactor === "required") throw new ApiError(401, "Two-factor code required");
  if (!result.throttled && result.secondFactor === "invalid") throw new ApiError(401, "Invalid two-factor code");
  if (result.throttled) {
    throw new ApiError(429, "Too many failed sign-in attempts; try again later", {
      "Retry-After": String(result.retryAfterSeconds),
    });
  }
  throw unauthenticated();
});

const notAllowed = methodNotAllowed("POST");
export { notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
