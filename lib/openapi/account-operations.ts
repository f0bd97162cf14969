import { z } from "zod";
import {
  changePasswordSchema,
  confirmTwoFactorSchema,
  disableTwoFactorSchema,
  startTwoFactorSchema,
  workingHoursSchema,
} from "../auth/auth-schemas";
import { successMessageSchema } from "./common-schemas";
import { BEARER, error, invalid, json, jsonBody, tooLarge, unauthenticated, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Account" tag: the account's settings. */

const workingHoursResponseSchema = z
  .object({ time_zone: z.string(), work_start_hour: z.int(), work_end_hour: z.int() })
  .meta({ id: "WorkingHours" });

// Examples of a password: no one's (examples are public).
const PASSWORD_EXAMPLE = "correct-horse-battery-staple";
const NEW_PASSWORD_EXAMPLE = "a-new-long-passphrase-2025";
const secondFactorWrong = error("The code is not right.", undefined, "That code is not right");

export const accountOperations: DocumentedOperation[] = [
  operation({
    method: "put",
    path: "/api/account/working-hours",
    operationId: "setWorkingHours",
    tags: ["Account"],
    summary: "Set working hours",
    description:
      "The hours [start, end) in an IANA time zone that the off-hours alert treats as normal; end may be before start (a night shift).",
    security: BEARER,
    request: {
      body: jsonBody(
        workingHoursSchema.meta({ id: "WorkingHoursRequest" }),
        "time_zone must be an IANA name such as Europe/Paris or UTC; work_end_hour must differ from work_start_hour.",
        { time_zone: "Europe/Paris", work_start_hour: 9, work_end_hour: 18 },
      ),
    },
    responses: {
      200: json(workingHoursResponseSchema, "The working hours as stored.", {
        time_zone: "Europe/Paris",
        work_start_hour: 9,
        work_end_hour: 18,
      }),
      400: invalid(workingHoursSchema, { time_zone: "Mars/Olympus", work_start_hour: 9, work_end_hour: 18 }),
      401: unauthenticated,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "put",
    path: "/api/account/password",
    operationId: "changePassword",
    tags: ["Account"],
    summary: "Change the password",
    description:
      "The current password is required; a wrong one is a 403 and counts against the sign-in limits (10 per email and address per 5 minutes). Every portal session and every other REST login of the account ends; this access token and its refresh token go on. Audited as account.password.",
    security: BEARER,
    request: {
      body: jsonBody(
        changePasswordSchema.meta({ id: "ChangePasswordRequest" }),
        "new_password: 8 characters to 72 bytes, not the current one.",
        { current_password: PASSWORD_EXAMPLE, new_password: NEW_PASSWORD_EXAMPLE },
      ),
    },
    responses: {
      200: json(successMessageSchema, "Changed.", {
        success: true,
        message: "Password changed; every other session has ended",
      }),
      400: invalid(changePasswordSchema, { current_password: PASSWORD_EXAMPLE, new_password: "short" }),
      401: unauthenticated,
      403: error("The current password is not right (or too many wrong ones were sent)."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/account/2fa",
    operationId: "startTwoFactorEnrolment",
    tags: ["Account"],
    summary: "Start two-factor enrolment",
    description:
      "The current password (403 when wrong, counted against the sign-in limits) starts an enrolment: a new TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) and its otpauth:// URL for an authenticator app. Nothing changes until POST /api/account/2fa/confirm.",
    security: BEARER,
    request: {
      body: jsonBody(startTwoFactorSchema.meta({ id: "StartTwoFactorRequest" }), "The current password.", {
        current_password: PASSWORD_EXAMPLE,
      }),
    },
    responses: {
      200: json(
        z
          .object({
            secret: z.string().meta({ description: "Base32: the setup key to type into an authenticator app." }),
            otpauth_url: z.string().meta({ description: "The same as an otpauth://totp/ URL, for a QR code." }),
          })
          .meta({ id: "TwoFactorEnrolment" }),
        "The pending secret.",
        {
          secret: "JBSWY3DPEHPK3PXP",
          otpauth_url: "otpauth://totp/Key%20portal:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Key%20portal",
        },
      ),
      400: invalid(startTwoFactorSchema, {}),
      401: unauthenticated,
      403: error("The current password is not right."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/account/2fa/confirm",
    operationId: "confirmTwoFactorEnrolment",
    tags: ["Account"],
    summary: "Turn two-factor sign-in on",
    description:
      "A code from the pending secret turns two-factor sign-in on and answers ten single-use recovery codes, shown this once (only their digests are kept; a new enrolment replaces them). Wrong codes count against the account's cap (5 per 15 minutes).",
    security: BEARER,
    request: {
      body: jsonBody(confirmTwoFactorSchema.meta({ id: "ConfirmTwoFactorRequest" }), "code: 6 digits.", {
        code: "123456",
      }),
    },
    responses: {
      200: json(
        z
          .object({ recovery_codes: z.array(z.string()).meta({ description: "Ten codes, xxxxx-xxxxx." }) })
          .meta({ id: "RecoveryCodes" }),
        "On.",
        {
          recovery_codes: [
            "k3p9x-7mq2d",
            "t8v4n-2hw6c",
            "b5r7k-9xz3m",
            "q2w8e-4ty6u",
            "m7n3b-5vc9x",
            "h4j6k-8lp2z",
            "d9f3g-7sa5q",
            "w6e2r-3ty8u",
            "p5o9i-2uy4t",
            "z8x4c-6vb2n",
          ],
        },
      ),
      400: invalid(confirmTwoFactorSchema, { code: "12" }),
      401: unauthenticated,
      403: secondFactorWrong,
      409: error("No enrolment was started.", undefined, "Start two-factor enrolment first (POST /api/account/2fa)"),
      413: tooLarge,
      429: error("Too many wrong codes; try again later."),
      ...unexpected,
    },
  }),
  operation({
    method: "delete",
    path: "/api/account/2fa",
    operationId: "disableTwoFactor",
    tags: ["Account"],
    summary: "Turn two-factor sign-in off",
    description: "Takes a code from the authenticator app or an unused recovery code; the recovery codes go too.",
    security: BEARER,
    request: {
      body: jsonBody(disableTwoFactorSchema.meta({ id: "DisableTwoFactorRequest" }), "code: a TOTP or recovery code.", {
        code: "123456",
      }),
    },
    responses: {
      200: json(successMessageSchema, "Off.", { success: true, message: "Two-factor sign-in is off" }),
      400: invalid(disableTwoFactorSchema, { code: "" }),
      401: unauthenticated,
      403: secondFactorWrong,
      409: error("Two-factor sign-in is not on.", undefined, "Two-factor sign-in is not on"),
      413: tooLarge,
      429: error("Too many wrong codes; try again later."),
      ...unexpected,
    },
  }),
];
