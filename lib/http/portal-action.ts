import "server-only";
import { cookies, headers } from "next/headers";
import type { z } from "zod";
import type { AuditContext } from "../audit/audit-actions";
import { auditContext } from "./request";
import { sessionClaims, sessionUserId } from "../auth/next-auth";
import { recentlyAuthenticated } from "../auth/reauthentication";
import { roleOf } from "../auth/roles";
import { chosenOrganization, ORGANIZATION_COOKIE } from "../auth/current-organization";
import { DomainError, isDomainError } from "../errors/domain-error";
import type { OrgActor } from "../orgs/members";
import { resolveOrganization } from "../orgs/organizations";
import { can, type OrgAction } from "../orgs/permissions";
import { isDatabaseUnavailable } from "../db/errors";
import { log } from "../log/logger";
import { ApiError, apiErrorFor, forbidden } from "./errors";
import { fieldErrors, formatZodError } from "../validation/format-zod-error";

/**
 * What a server action returns to the portal. Server actions are thin adapters over the same
 * lib functions the REST handlers call; Next rejects a server action whose Origin differs from
 * the host, so cookie-authenticated writes cannot come from another site.
 */
export type ActionResult<T> =
  | { ok: true; data: T }
  | {
      ok: false;
      message: string;
      fieldErrors?: Record<string, string>;
      /** The HTTP status the REST API answers for the same refusal (404: the key is gone). */
      status?: number;
      /** Sudo mode: the page asks for the password (or a code), then sends the action again. */
      reauthenticate?: true;
    };

async function runAction<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    if (isDomainError(error, "reauthentication_required")) {
      return { ok: false, message: error.message, status: 401, reauthenticate: true };
    }
    const known = apiErrorFor(error);
    if (known) return { ok: false, message: known.message, status: known.status };
    if (isDatabaseUnavailable(error)) return { ok: false, message: "The database is busy; please try again shortly." };
    log().error({ err: error }, "[action] failed");
    return { ok: false, message: "Something went wrong; please try again." };
  }
}

/** Runs `fn` with validated input; invalid input comes back with a message per field. */
export async function validatedAction<S extends z.ZodType, T>(
  schema: S,
  input: unknown,
  fn: (data: z.output<S>) => Promise<T>,
): Promise<ActionResult<T>> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, message: formatZodError(parsed.error), fieldErrors: fieldErrors(parsed.error) };
  }
  return runAction(() => fn(parsed.data));
}

/** Runs `fn` for the signed-in account with validated input. */
export async function accountAction<S extends z.ZodType, T>(
  schema: S,
  input: unknown,
  fn: (userId: number, data: z.output<S>) => Promise<T>,
): Promise<ActionResult<T>> {
  const userId = await sessionUserId();
  if (!userId) return { ok: false, message: "Your session has ended. Sign in again." };
  return validatedAction(schema, input, (data) => fn(userId, data));
}

/**
 * accountAction for operators only: the role is read at each call (a demotion acts at once), and
 * another account is refused with the REST API's 403 (once its input is validated).
 */
export function operatorAction<S extends z.ZodType, T>(
  schema: S,
  input: unknown,
  fn: (userId: number, data: z.output<S>) => Promise<T>,
): Promise<ActionResult<T>> {
  return accountAction(schema, input, async (userId, data) => {
    if ((await roleOf(userId)) !== "operator") throw new ApiError(403, "Only operator accounts can do this.");
    return fn(userId, data);
  });
}

/**
 * accountAction on the organization the portal shows (its switcher's cookie), within the role the
 * account has there now: the REST API's rules (withOrganization), so a viewer's Generate is the
 * same 403 envelope message, and a member removed since the page loaded is refused (404) rather
 * than acting on another organization. That refusal also forgets the choice, so the next page
 * shows the personal organization.
 */
export function organizationAction<S extends z.ZodType, T>(
  action: OrgAction,
  schema: S,
  input: unknown,
  fn: (actor: OrgActor, data: z.output<S>) => Promise<T>,
): Promise<ActionResult<T>> {
  return accountAction(schema, input, async (userId, data) => {
    let resolved;
    try {
      resolved = await resolveOrganization(userId, await chosenOrganization());
    } catch (error) {
      if (isDomainError(error, "organization_not_found")) (await cookies()).delete(ORGANIZATION_COOKIE);
      throw error;
    }
    if (!can(resolved.role, action)) throw forbidden();
    return fn({ userId, organizationId: resolved.id, role: resolved.role }, data);
  });
}

/**
 * Sudo mode (lib/auth/reauthentication.ts): refused, with `reauthenticate` set, unless this session
 * signed in or entered its password (or a code) again within the window. Called after the input
 * and the role are checked, so the dialog never asks for a password only to show a field error.
 */
export async function requireRecentAuthentication(): Promise<void> {
  const claims = await sessionClaims();
  if (!claims || !(await recentlyAuthenticated(claims))) {
    throw new DomainError("reauthentication_required", "Confirm it is you: enter your password to go on");
  }
}

/** organizationAction for generating, rotating and deleting keys: sudo mode's window too. */
export function sensitiveOrganizationAction<S extends z.ZodType, T>(
  action: OrgAction,
  schema: S,
  input: unknown,
  fn: (actor: OrgActor, data: z.output<S>) => Promise<T>,
): Promise<ActionResult<T>> {
  return organizationAction(action, schema, input, async (actor, data) => {
    await requireRecentAuthentication();
    return fn(actor, data);
  });
}

/** A portal action's origin for the audit log: the portal, from the browser's address. */
export async function portalAuditContext(): Promise<AuditContext> {
  return auditContext("portal", await headers(), await sessionUserId());
}
