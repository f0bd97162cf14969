import { z } from "zod";
import { body, emailSchema, idSchema, text, usernameSchema } from "../validation/fields";

/** Account inputs: sign-up, sign-in, token refresh and the account's working hours. */

/** A new password: sign-up, a password change, a reset. */
const newPassword = z
  .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
  .min(8, "must be at least 8 characters")
  // bcrypt ignores everything past 72 bytes; refusing longer input avoids a false sense of strength.
  .refine((value) => new TextEncoder().encode(value).length <= 72, "must be at most 72 bytes");

export const registerSchema = body({
  email: emailSchema,
  password: newPassword,
  username: usernameSchema.optional(),
});

/** POST /api/auth/reset-password: a link's token and the new password. */
export const resetPasswordSchema = body({
  token: z.string({ error: "is required" }).min(1, "is required").max(200, "must be at most 200 characters"),
  new_password: newPassword,
});

/** POST /api/auth/forgot-password. */
export const forgotPasswordSchema = body({ email: emailSchema });

/** PUT /api/account/password, and the portal's account page. */
export const changePasswordSchema = body({
  current_password: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required")
    .max(200, "must be at most 200 characters"),
  new_password: newPassword,
}).refine((input) => input.new_password !== input.current_password, {
  error: "new_password must differ from current_password",
  path: ["new_password"],
});

/** A TOTP code: six digits. */
const totpCode = z.string({ error: "must be a string of 6 digits" }).regex(/^\d{6}$/, "must be 6 digits");
/** A recovery code as shown (xxxxx-xxxxx); spaces and case aside. */
const recoveryCode = z
  .string({ error: "must be a string" })
  .min(1, "is required")
  .max(40, "must be at most 40 characters");

export const loginSchema = body({
  email: emailSchema,
  password: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required"),
  /** With two-factor sign-in on: a code from the authenticator, or one of the recovery codes. */
  totp_code: totpCode.optional(),
  recovery_code: recoveryCode.optional(),
}).refine((input) => input.totp_code === undefined || input.recovery_code === undefined, {
  error: "Send totp_code or recovery_code, not both",
});

/** POST /api/account/2fa: the current password starts an enrolment. */
export const startTwoFactorSchema = body({
  current_password: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required")
    .max(200, "must be at most 200 characters"),
});

/** POST /api/account/2fa/confirm: a code from the new secret. */
export const confirmTwoFactorSchema = body({ code: totpCode });

/** DELETE /api/account/2fa: a TOTP code or a recovery code. */
export const disableTwoFactorSchema = body({ code: recoveryCode });

export const refreshSchema = body({
  refresh_token: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required"),
});

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

// JSON numbers only: coercion would turn null, true or [9] into an hour.
const hourOfDay = (max: number) =>
  z
    .number({ error: `must be a whole hour from 0 to ${max}` })
    .int(`must be a whole hour from 0 to ${max}`)
    .min(0, `must be a whole hour from 0 to ${max}`)
    .max(max, `must be a whole hour from 0 to ${max}`);

/** Working hours for the off-hours alert: [start, end) in an IANA time zone. */
export const workingHoursSchema = body({
  time_zone: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .trim()
    .refine(isTimeZone, "must be an IANA time zone such as Europe/Paris or UTC"),
  work_start_hour: hourOfDay(23),
  work_end_hour: hourOfDay(24),
}).refine((v) => v.work_start_hour !== v.work_end_hour, {
  message: "must differ from work_start_hour",
  path: ["work_end_hour"],
});

/** POST /api/admin/service-tokens: a name to tell the token apart by. */
export const createServiceTokenSchema = body({ name: text({ min: 1, max: 100 }) });

export const serviceTokenIdParamsSchema = z.object({ id: idSchema });
