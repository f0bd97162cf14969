import { z } from "zod";
import { ACCESS_TOKEN_TTL_SECONDS } from "../auth/access-token";
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
import { error, invalid, json, jsonBody, retryAfter, tooLarge, unexpected } from "./operation-parts";
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

// Examples: no one's credentials (examples are public).
const EMAIL_EXAMPLE = "ada@example.com";
const PASSWORD_EXAMPLE = "correct-horse-battery-staple";
const REFRESH_TOKEN_EXAMPLE = "rt_EXAMPLE_refresh_token";

const tokenPairExample = (issuedAt: string, refreshToken: string): TokenPair => ({
  token: "eyJhbGciOiJIUzI1NiJ9.EXAMPLE.signature",
  token_type: "Bearer",
  expires_in: ACCESS_TOKEN_TTL_SECONDS,
  expires_at: new Date(Date.parse(issuedAt) + ACCESS_TOKEN_TTL_SECONDS * 1000).toISOString(),
  refresh_token: refreshToken,
});

export const authenticationOperations: DocumentedOperation[] = [
  operation({
    method: "post",
    path: "/api/auth/register",
    operationId: "registerAccount",
    tags: ["Authentication"],
    summary: "Create an account",
    description:
      "Opens an account on the Free plan. The username defaults to the email's local part. Sign-ups are limited per client address per hour.",
    security: [],
    request: {
      body: jsonBody(
        registerSchema.meta({ id: "RegisterRequest" }),
        "email must be a valid address (at most 254 characters); password 8 characters to 72 bytes; username letters, digits, '.', '_', '@' and '-'.",
        { email: EMAIL_EXAMPLE, password: PASSWORD_EXAMPLE, username: "ada" },
      ),
    },
    responses: {
      201: json(userSchema, "The account was created. Sign in with POST /api/auth/login.", {
        id: 7,
        email: EMAIL_EXAMPLE,
        username: "ada",
        plan: "free",
        created_at: "2025-01-15T10:30:00.000Z",
      }),
      400: invalid(registerSchema, { email: EMAIL_EXAMPLE, password: "short" }),
      409: error("An account with this email already exists.", undefined, "An account with this email already exists"),
      413: tooLarge,
      429: error("Too many accounts created from this address; try again later.", retryAfter),
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/login",
    operationId: "login",
    tags: ["Authentication"],
    summary: "Sign in for a token pair",
    description:
      'Trades an email and password for a short-lived access token and a single-use refresh token. An unknown email and a wrong password get the same answer; repeated failures from one address are throttled. With two-factor sign-in on, the right password without a code answers 401 "Two-factor code required": send totp_code (each 30-second code once) or recovery_code (each once). Wrong codes are capped at 5 per account per 15 minutes, whatever the address (then 429).',
    security: [],
    request: {
      body: jsonBody(
        loginSchema.meta({ id: "LoginRequest" }),
        "The account's email and password; with two-factor sign-in on, totp_code or recovery_code, not both.",
        { email: EMAIL_EXAMPLE, password: PASSWORD_EXAMPLE },
      ),
    },
    responses: {
      200: json(tokenPairSchema, "Signed in.", tokenPairExample("2025-01-15T10:30:00.000Z", REFRESH_TOKEN_EXAMPLE)),
      400: invalid(loginSchema, { email: "not-an-email", password: PASSWORD_EXAMPLE }),
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
    operationId: "refreshToken",
    tags: ["Authentication"],
    summary: "Trade a refresh token for a new pair",
    description:
      "A refresh token works once. Presenting a used one again revokes its whole login (a retry within a few seconds gets the same new pair instead).",
    security: [],
    request: {
      body: jsonBody(refreshSchema.meta({ id: "RefreshRequest" }), "The refresh token from the last pair.", {
        refresh_token: REFRESH_TOKEN_EXAMPLE,
      }),
    },
    responses: {
      200: json(
        tokenPairSchema,
        "A new access token and refresh token.",
        tokenPairExample("2025-01-15T11:00:00.000Z", "rt_EXAMPLE_next_refresh_token"),
      ),
      400: invalid(refreshSchema, {}),
      401: error("Unknown, used, revoked or expired refresh token.", undefined, UNAUTHENTICATED_MESSAGE),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/logout",
    operationId: "logout",
    tags: ["Authentication"],
    summary: "Sign out a login",
    description:
      "Revokes the refresh token's whole login, and with it every access token issued to that login. The answer is the same whether or not the token was known.",
    security: [],
    request: {
      body: jsonBody(refreshSchema, "The login's refresh token.", { refresh_token: REFRESH_TOKEN_EXAMPLE }),
    },
    responses: {
      200: json(successMessageSchema, "Signed out.", { success: true, message: "Signed out" }),
      400: invalid(refreshSchema, { refresh_token: "" }),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/reset-password",
    operationId: "resetPassword",
    tags: ["Authentication"],
    summary: "Set a new password with a reset link",
    description:
      "The token from a reset link (npm run admin -- reset-link, or mailed by forgot-password): one hour, single use. Every session and REST login of the account ends; two-factor sign-in stays on.",
    security: [],
    request: {
      body: jsonBody(
        resetPasswordSchema.meta({ id: "ResetPasswordRequest" }),
        "new_password: 8 characters to 72 bytes.",
        { token: "EXAMPLE_reset_token_from_the_link", new_password: "a-new-long-passphrase-2025" },
      ),
    },
    responses: {
      200: json(successMessageSchema, "Changed.", {
        success: true,
        message: "Password changed; sign in with the new one",
      }),
      400: invalid(
        resetPasswordSchema,
        { token: "EXAMPLE_reset_token_from_the_link", new_password: "short" },
        "Invalid input, or a token that is unknown, used or expired (alike).",
      ),
      413: tooLarge,
      ...unexpected,
    },
  }),
  operation({
    method: "post",
    path: "/api/auth/forgot-password",
    operationId: "requestPasswordReset",
    tags: ["Authentication"],
    summary: "Mail a password reset link",
    description:
      "With SMTP_URL set, mails a reset link (built from NEXTAUTH_URL) to the account with this email, at most 3 an hour per address. The answer is the same whether or not the account exists.",
    security: [],
    request: {
      body: jsonBody(forgotPasswordSchema.meta({ id: "ForgotPasswordRequest" }), "The account's email.", {
        email: EMAIL_EXAMPLE,
      }),
    },
    responses: {
      200: json(successMessageSchema, "The same answer for every email.", {
        success: true,
        message: "If an account has this email, a reset link is on its way",
      }),
      400: invalid(forgotPasswordSchema, { email: "not-an-email" }),
      413: tooLarge,
      ...unexpected,
    },
  }),
];
