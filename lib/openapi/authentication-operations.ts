import { z } from "zod";
import type { TokenPair } from "../auth/refresh-tokens";
import type { toUserResponse } from "../auth/users";
import { UNAUTHENTICATED_MESSAGE } from "../http/errors";
import {
  forgotPasswordSchema,
  loginSchema,
  refreshSchema,
  registerSchema,
  resetPasswordSchema,
} from "../auth/auth-schemas";
import { documents, isoTime, rowId, successMessageSchema } from "./common-schemas";
import { badRequest, error, json, jsonBody, retryAfter, tooLarge, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Authentication" tag: accounts and the Bearer tokens scripts sign in for. */

const tokenPairSchema = documents<TokenPair>()(
  z
    .object({
      token: z.string().meta({ description: "The access token: send it as `Authorization: Bearer <token>`." }),
      token_type: z.literal("Bearer"),
      expires_in: z.int().meta({ description: "Seconds until the access token expires." }),
      expires_at: isoTime,
      refresh_token: z.string().meta({ description: "Single use: trade it at /api/auth/refresh for a new pair." }),
    })
    .meta({ id: "TokenPair" }),
);

const userSchema = documents<ReturnType<typeof toUserResponse>>()(
  z
    .object({
      id: rowId,
      email: z.string(),
      username: z.string(),
      plan: z.string().meta({ examples: ["free"] }),
      created_at: isoTime,
    })
    .meta({ id: "User" }),
);

export const authenticationOperations: DocumentedOperation[] = [
  operation({
    method: "post",
    path: "/api/auth/register",
    tags: ["Authentication"],
    summary: "Create an account",
    description:
      "Opens an account on the Free plan. The username defaults to the email's local part. Sign-ups are limited per client address per hour.",
    security: [],
    request: {
      body: jsonBody(
        registerSchema.meta({ id: "RegisterRequest" }),
        "email must be a valid address (at most 254 characters); password 8 characters to 72 bytes; username letters, digits, '.', '_', '@' and '-'.",
      ),
    },
    responses: {
      201: json(userSchema, "The account was created. Sign in with POST /api/auth/login."),
      400: badRequest,
      409: error("An account with this email already exists."),
      413: tooLarge,
      429: error("Too many accounts created from this address; try again later.", retryAfter),
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/login",
    tags: ["Authentication"],
    summary: "Sign in for a token pair",
    description:
      'Trades an email and password for a short-lived access token and a single-use refresh token. An unknown email and a wrong password get the same answer; repeated failures from one address are throttled. With two-factor sign-in on, the right password without a code answers 401 "Two-factor code required": send totp_code (each 30-second code once) or recovery_code (each once). Wrong codes are capped at 5 per account per 15 minutes, whatever the address (then 429).',
    security: [],
    request: {
      body: jsonBody(
        loginSchema.meta({ id: "LoginRequest" }),
        "The account's email and password; with two-factor sign-in on, totp_code or recovery_code, not both.",
      ),
    },
    responses: {
      200: json(tokenPairSchema, "Signed in."),
      400: badRequest,
      401: error(
        'Wrong email or password; or, after the right password, "Two-factor code required" or "Invalid two-factor code".',
        undefined,
        UNAUTHENTICATED_MESSAGE,
      ),
      413: tooLarge,
      429: error("Too many failed sign-in attempts (or wrong two-factor codes); try again later.", retryAfter),
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/refresh",
    tags: ["Authentication"],
    summary: "Trade a refresh token for a new pair",
    description:
      "A refresh token works once. Presenting a used one again revokes its whole login (a retry within a few seconds gets the same new pair instead).",
    security: [],
    request: { body: jsonBody(refreshSchema.meta({ id: "RefreshRequest" }), "The refresh token from the last pair.") },
    responses: {
      200: json(tokenPairSchema, "A new access token and refresh token."),
      400: badRequest,
      401: error("Unknown, used, revoked or expired refresh token.", undefined, UNAUTHENTICATED_MESSAGE),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/logout",
    tags: ["Authentication"],
    summary: "Sign out a login",
    description:
      "Revokes the refresh token's whole login, and with it every access token issued to that login. The answer is the same whether or not the token was known.",
    security: [],
    request: { body: jsonBody(refreshSchema, "The login's refresh token.") },
    responses: {
      200: json(successMessageSchema, "Signed out."),
      400: badRequest,
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/reset-password",
    tags: ["Authentication"],
    summary: "Set a new password with a reset link",
    description:
      "The token from a reset link (npm run admin -- reset-link, or mailed by forgot-password): one hour, single use. Every session and REST login of the account ends; two-factor sign-in stays on.",
    security: [],
    request: {
      body: jsonBody(
        resetPasswordSchema.meta({ id: "ResetPasswordRequest" }),
        "new_password: 8 characters to 72 bytes.",
      ),
    },
    responses: {
      200: json(successMessageSchema, "Changed."),
      400: error("Invalid input, or a token that is unknown, used or expired (alike)."),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/forgot-password",
    tags: ["Authentication"],
    summary: "Mail a password reset link",
    description:
      "With SMTP_URL set, mails a reset link (built from NEXTAUTH_URL) to the account with this email, at most 3 an hour per address. The answer is the same whether or not the account exists.",
    security: [],
    request: { body: jsonBody(forgotPasswordSchema.meta({ id: "ForgotPasswordRequest" }), "The account's email.") },
    responses: {
      200: json(successMessageSchema, "The same answer for every email."),
      400: badRequest,
      413: tooLarge,
      ...unexpected,
    },
  }),
];
