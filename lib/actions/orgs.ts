"use server";

import "server-only";
import { revalidatePath } from "next/cache";
import { cookies } from "next/headers";
import { z } from "zod";
import { ORGANIZATION_COOKIE } from "@/lib/auth/current-organization";
import {
  accountAction,
  organizationAction,
  portalAuditContext,
  sensitiveOrganizationAction,
} from "@/lib/http/portal-action";
import { acceptInvitation, createInvitation, revokeInvitation } from "@/lib/orgs/invitations";
import { changeMemberRole, leaveOrganization, removeMember } from "@/lib/orgs/members";
import {
  acceptInvitationSchema,
  createInvitationSchema,
  createOrganizationSchema,
  memberRoleSchema,
} from "@/lib/orgs/org-schemas";
import { createOrganization, resolveOrganization } from "@/lib/orgs/organizations";
import { notFound } from "@/lib/http/errors";

// Thin adapters over the same lib calls, schemas and role checks as app/api/orgs and
// app/api/invitations; the organization is the one the portal shows (its switcher's cookie).

const positiveId = z.number().int().positive();

/** Every page shows the chosen organization: after a switch, all of them render again. */
async function choose(organizationId: number | null) {
  const jar = await cookies();
  if (organizationId === null) jar.delete(ORGANIZATION_COOKIE);
  else jar.set(ORGANIZATION_COOKIE, String(organizationId), { httpOnly: true, sameSite: "lax", path: "/" });
  revalidatePath("/", "layout");
}

/** The switcher: only an organization the account is a member of (404 otherwise). */
export async function switchOrganizationAction(input: unknown) {
  return accountAction(z.object({ id: positiveId }), input, async (userId, { id }) => {
    const { id: chosen } = await resolveOrganization(userId, String(id));
    // The personal organization is the default: no cookie.
    await choose(chosen === userId ? null : chosen);
    return { id: chosen };
  });
}

export async function createOrganizationAction(input: unknown) {
  return accountAction(createOrganizationSchema, input, async (userId, { name }) => {
    const created = await createOrganization(userId, name, await portalAuditContext());
    await choose(created.id);
    return created;
  });
}

// Inviting and changing a role want sudo mode as keys do: a stolen session could otherwise bring
// in (or promote) an account of its own, which would then make keys on its own fresh sign-in.
export async function inviteMemberAction(input: unknown) {
  return sensitiveOrganizationAction("members.manage", createInvitationSchema, input, async (actor, data) => {
    const created = await createInvitation(actor, data, await portalAuditContext());
    revalidatePath("/members");
    return created;
  });
}

export async function revokeInvitationAction(input: unknown) {
  return organizationAction("members.manage", z.object({ id: positiveId }), input, async (actor, { id }) => {
    const revoked = await revokeInvitation(actor, id, await portalAuditContext());
    if (!revoked) throw notFound("Invitation not found");
    revalidatePath("/members");
    return revoked;
  });
}

export async function changeMemberRoleAction(input: unknown) {
  const schema = memberRoleSchema.extend({ user_id: positiveId });
  return sensitiveOrganizationAction("members.manage", schema, input, async (actor, { user_id, role }) => {
    const member = await changeMemberRole(actor, user_id, role, await portalAuditContext());
    revalidatePath("/members");
    return member;
  });
}

export async function removeMemberAction(input: unknown) {
  return organizationAction("members.manage", z.object({ user_id: positiveId }), input, async (actor, { user_id }) => {
    await removeMember(actor, user_id, await portalAuditContext());
    revalidatePath("/members");
    return { user_id };
  });
}

export async function leaveOrganizationAction() {
  return organizationAction("members.read", z.undefined(), undefined, async (actor) => {
    await leaveOrganization(actor, await portalAuditContext());
    await choose(null);
    return true;
  });
}

/** The invitation page's "Join": the account becomes a member, and the portal shows the organization. */
export async function acceptInvitationAction(input: unknown) {
  return accountAction(acceptInvitationSchema, input, async (userId, { token }) => {
    const joined = await acceptInvitation(userId, token, await portalAuditContext());
    await choose(joined.organization_id);
    return joined;
  });
}
