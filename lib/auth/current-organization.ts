import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { isDomainError } from "../errors/domain-error";
import { getOrganizationSettings, listOrganizations, resolveOrganization } from "../orgs/organizations";
import type { OrgRole } from "../orgs/permissions";
import { requireAccount } from "./current-account";
import type { Account } from "./users";

/**
 * The organization the portal shows: the one its switcher chose (this cookie holds the id; it
 * grants nothing, since the membership is read at each request like X-Organization-Id's), else
 * the account's personal one.
 */
export const ORGANIZATION_COOKIE = "kp_org";

/** An organization as a portal page uses it: what it is, the caller's role, its plan and settings. */
interface PortalOrganization {
  id: number;
  name: string;
  role: OrgRole;
  personal: boolean;
  plan: string;
  subscription: string;
  rateLimitPerHour: number | null;
  timeZone: string;
  workStartHour: number;
  workEndHour: number;
}

export interface PortalScope {
  account: Account;
  organization: PortalOrganization;
  /** The organizations the account belongs to, for the switcher. */
  organizations: Array<{ id: number; name: string; role: OrgRole; personal: boolean }>;
  /** The cookie named an organization the account is no longer a member of: the page shows the personal one. */
  lostOrganization: boolean;
}

/** The cookie's organization id, or null (none chosen). */
export async function chosenOrganization(): Promise<string | null> {
  return (await cookies()).get(ORGANIZATION_COOKIE)?.value ?? null;
}

/**
 * For portal pages: the signed-in account and the organization they act on, once per request.
 * A cookie naming an organization the account has left or was removed from shows the personal
 * one (with lostOrganization set for the page to say so): pages never show a team's data to a
 * non-member, and the actions refuse (lib/http/portal-action.ts: organizationAction).
 */
export const requireOrganization = cache(async (): Promise<PortalScope> => {
  const account = await requireAccount();
  const chosen = await chosenOrganization();
  let resolved: { id: number; role: OrgRole };
  let lostOrganization = false;
  try {
    resolved = await resolveOrganization(account.id, chosen);
  } catch (error) {
    if (!isDomainError(error, "organization_not_found")) throw error;
    resolved = await resolveOrganization(account.id, null);
    lostOrganization = true;
  }
  const [settings, organizations] = await Promise.all([
    getOrganizationSettings(resolved.id),
    listOrganizations(account.id),
  ]);
  const listed = organizations.find((organization) => organization.id === resolved.id);
  if (!settings || !listed) throw new Error(`organization ${resolved.id} vanished while the page was read`);
  return {
    account,
    organization: { ...settings, role: resolved.role, personal: listed.personal },
    organizations,
    lostOrganization,
  };
});
