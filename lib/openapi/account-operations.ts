import { z } from "zod";
import {
  changePasswordSchema,
  confirmTwoFactorSchema,
  disableTwoFactorSchema,
  startTwoFactorSchema,
  workingHoursSchema,
} from "../auth/auth-schemas";
import { successMessageSchema } from "./common-schemas";
import { BEARER, badRequest, error, json, jsonBody, tooLarge, unauthenticated, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Account" tag: the account's settings. */

const workingHoursResponseSchema = z
  .object({ time_zone: z.string(), work_start_hour: z.int(), work_end_hour: z.int() })
  .meta({ id: "WorkingHours" });

export const accountOperations: DocumentedOperation[] = [
  operation({
    method: "put",
    path: "/api/account/working-hours",
    tags: ["Account"],
    summary: "Set working hours",
    description:
      "The hours [start, end) in an IANA time zone that the off-hours alert treats as normal; end may be before start (a night shift).",
    security: BEARER,
    request: {
      body: jsonBody(
        workingHoursSchema.meta({ id: "WorkingHoursRequest" }),
        "time_zone must be an IANA name such as Europe/Paris or UTC; work_end_hour must differ from work_start_hour.",
      ),
    },
    responses: {
      200: json(workingHoursResponseSchema, "The working hours as stored."),
      400: badRequest,
      401: unauthenticated,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "put",
    path: "/api/account/password",
    tags: ["Account"],
    summary: "Change the password",
    description:
      "The current password is required; a wrong one is a 403 and counts against the sign-in limits (10 per email and address per 5 minutes). Every portal session and every other REST login of the account ends; this access token and its refresh token go on. Audited as account.password.",
    security: BEARER,
    request: {
      body: jsonBody(
        changePasswordSchema.meta({ id: "ChangePasswordRequest" }),
        "new_password: 8 characters to 72 bytes, not the current one.",
      ),
    },
    responses: {
      200: json(successMessageSchema, "Changed."),
      400: badRequest,
      401: unauthenticated,
      403: error("The current password is not right (or too many wrong ones were sent)."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/account/2fa",
    tags: ["Account"],
    summary: "Start two-factor enrolment",
    description:
      "The current password (403 when wrong, counted against the sign-in limits) starts an enrolment: a new TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) and its otpauth:// URL for an authenticator app. Nothing changes until POST /api/account/2fa/confirm.",
    security: BEARER,
    request: { body: jsonBody(startTwoFactorSchema.meta({ id: "StartTwoFactorRequest" }), "The current password.") },
    responses: {
      200: json(
        z
          .object({
            secret: z.string().meta({ description: "Base32: the setup key to type into an authenticator app." }),
            otpauth_url: z.string().meta({ description: "The same as an otpauth://totp/ URL, for a QR code." }),
          })
          .meta({ id: "TwoFactorEnrolment" }),
        "The pending secret.",
      ),
      400: badRequest,
      401: unauthenticated,
      403: error("The current password is not right."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/account/2fa/confirm",
    tags: ["Account"],
    summary: "Turn two-factor sign-in on",
    description:
      "A code from the pending secret turns two-factor sign-in on and answers ten single-use recovery codes, shown this once (only their digests are kept; a new enrolment replaces them). Wrong codes count against the account's cap (5 per 15 minutes).",
    security: BEARER,
    request: { body: jsonBody(confirmTwoFactorSchema.meta({ id: "ConfirmTwoFactorRequest" }), "code: 6 digits.") },
    responses: {
      200: json(
        z
          .object({ recovery_codes: z.array(z.string()).meta({ description: "Ten codes, xxxxx-xxxxx." }) })
          .meta({ id: "RecoveryCodes" }),
        "On.",
      ),
      400: badRequest,
      401: unauthenticated,
      403: error("The code is not right."),
      409: error("No enrolment was started."),
      413: tooLarge,
      429: error("Too many wrong codes; try again later."),
      ...unexpected,
    },
  }),
  operation({
    method: "delete",
    path: "/api/account/2fa",
    tags: ["Account"],
    summary: "Turn two-factor sign-in off",
    description: "Takes a code from the authenticator app or an unused recovery code; the recovery codes go too.",
    security: BEARER,
    request: {
      body: jsonBody(disableTwoFactorSchema.meta({ id: "DisableTwoFactorRequest" }), "code: a TOTP or recovery code."),
    },
    responses: {
      200: json(successMessageSchema, "Off."),
      400: badRequest,
      401: unauthenticated,
      403: error("The code is not right."),
      409: error("Two-factor sign-in is not on."),
      413: tooLarge,
      429: error("Too many wrong codes; try again later."),
      ...unexpected,
    },
  }),
];
