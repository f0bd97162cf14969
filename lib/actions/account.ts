"use server";

import "server-only";
import { z } from "zod";
import QRCode from "qrcode";
import {
  changePasswordSchema,
  confirmTwoFactorSchema,
  disableTwoFactorSchema,
  startTwoFactorSchema,
} from "@/lib/auth/auth-schemas";
import { startTwoFactor } from "@/lib/auth/sign-in";
import { confirmEnrolment, disableTwoFactor } from "@/lib/auth/two-factor";
import { changePassword } from "@/lib/auth/password-change";
import { signOutEverywhere } from "@/lib/auth/session-revocation";
import { sessionClaims } from "@/lib/auth/next-auth";
import { reauthenticate } from "@/lib/auth/reauthentication";
import { ApiError } from "@/lib/http/errors";
import { accountAction, portalAuditContext } from "@/lib/http/portal-action";

// The account menu's "Sign out everywhere": every portal session and REST login of the account ends.
export async function signOutEverywhereAction() {
  return accountAction(z.undefined(), undefined, async (userId) => {
    await signOutEverywhere(userId, await portalAuditContext());
    return true;
  });
}

/**
 * The account page's password change: every session ends, this one too (a session cookie cannot
 * be exempted from a version change); the page signs in again with the new password at once.
 */
export async function changePasswordAction(input: unknown) {
  return accountAction(changePasswordSchema, input, async (userId, data) => {
    await changePassword(userId, data, null, await portalAuditContext());
    return true;
  });
}

/** The account page's "Turn on": the password, then the secret with its QR code (a data: image, drawn here). */
export async function startTwoFactorAction(input: unknown) {
  return accountAction(startTwoFactorSchema, input, async (userId, { current_password }) => {
    const context = await portalAuditContext();
    const enrolment = await startTwoFactor(userId, current_password, context.ip ?? "unknown");
    return { ...enrolment, qr: await QRCode.toDataURL(enrolment.otpauth_url, { margin: 1, width: 192 }) };
  });
}

/** A code from the new secret turns it on; the recovery codes come back once. */
export async function confirmTwoFactorAction(input: unknown) {
  return accountAction(confirmTwoFactorSchema, input, async (userId, { code }) =>
    confirmEnrolment(userId, code, await portalAuditContext()),
  );
}

export async function disableTwoFactorAction(input: unknown) {
  return accountAction(disableTwoFactorSchema, input, async (userId, { code }) => {
    await disableTwoFactor(userId, code, await portalAuditContext());
    return true;
  });
}

const reauthenticationSchema = z.object({
  method: z.enum(["password", "code"]),
  // Not trimmed: a password may end in a space (a code is trimmed below).
  value: z.string().min(1, "Enter it to go on").max(200),
});

/**
 * Sudo mode's dialog: the password (or, with two-factor sign-in on, a code) opens the window for
 * this session; the page then sends the action it was asked for again.
 */
export async function reauthenticateAction(input: unknown) {
  return accountAction(reauthenticationSchema, input, async (userId, { method, value }) => {
    const claims = await sessionClaims();
    if (!claims) throw new ApiError(401, "Your session has ended. Sign in again.");
    const proof = method === "password" ? { password: value } : { code: value.trim() };
    await reauthenticate(userId, claims, proof, await portalAuditContext());
    return true;
  });
}
