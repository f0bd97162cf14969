import type { Metadata } from "next";
import { InviteMember } from "@/components/orgs/invite-member";
import { TeamTabs } from "@/components/orgs/team-tabs";
import {
  CreateOrganization,
  LeaveOrganization,
  MemberRole,
  RemoveMember,
  RevokeInvitation,
} from "@/components/orgs/member-controls";
import { DataTable } from "@/components/ui/table";
import { requireOrganization } from "@/lib/auth/current-organization";
import { formatDateTime } from "@/lib/format/dates";
import { listInvitations } from "@/lib/orgs/invitations";
import { listMembers, memberNames } from "@/lib/orgs/members";
import { can, ORG_ROLES } from "@/lib/orgs/permissions";

export const metadata: Metadata = { title: "Members" };

/**
 * The organization's members and invitations, as the reader's role allows: everyone sees the
 * members; owners and admins invite, change roles and remove (the owner role only by an owner);
 * any member of a shared organization can leave.
 */
export default async function MembersPage() {
  const { account, organization: org } = await requireOrganization();
  const manage = can(org.role, "members.manage");
  const [members, invitations] = await Promise.all([
    listMembers(org.id),
    manage ? listInvitations(org.id) : Promise.resolve([]),
  ]);
  const inviters = await memberNames(
    org.id,
    invitations.map((invitation) => invitation.created_by),
  );
  // An admin can give every role but owner, and cannot change an owner's.
  const grantable = ORG_ROLES.filter((role) => role !== "owner" || can(org.role, "owners.manage"));
  const tz = org.timeZone;
  const pending = invitations.filter((invitation) => invitation.status === "pending");

  return (
    <section aria-labelledby="members-heading">
      <TeamTabs current="/members" />
      <h1 id="members-heading" className="text-2xl font-semibold">
        Members of {org.name}
      </h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        {org.personal
          ? "This is your personal organization: it is yours alone. To share keys with a team, create an organization below and invite its members."
          : `Your role: ${org.role}.`}
      </p>

      <DataTable caption="Members" columns={["Member", "Role", "Joined", { label: "Actions", srOnly: true }]}>
        <tbody>
          {members.map((member) => {
            const self = member.user_id === account.id;
            const editable =
              manage && !self && !org.personal && (member.role !== "owner" || can(org.role, "owners.manage"));
            return (
              <tr key={member.user_id} className="border-b border-slate-100 align-middle dark:border-slate-900">
                <td className="py-2 pr-3 break-all">
                  {member.email}
                  {self && <span className="ml-1 text-xs text-slate-600 dark:text-slate-400">(you)</span>}
                  <span className="block text-xs text-slate-600 dark:text-slate-400">{member.username}</span>
                </td>
                <td className="pr-3">
                  {editable ? (
                    <MemberRole userId={member.user_id} email={member.email} role={member.role} roles={grantable} />
                  ) : (
                    member.role
                  )}
                </td>
                <td className="pr-3 whitespace-nowrap">{formatDateTime(member.joined_at, tz)}</td>
                <td className="text-right">
                  {editable && <RemoveMember userId={member.user_id} email={member.email} />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>

      {manage && !org.personal && (
        <div className="mt-8 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
          <h2 className="font-semibold">Invite a member</h2>
          <InviteMember roles={grantable} />
          {pending.length > 0 && (
            <DataTable
              caption="Pending invitations"
              columns={["Role", "For", "Invited by", "Expires", { label: "Actions", srOnly: true }]}
            >
              <tbody>
                {pending.map((invitation) => (
                  <tr key={invitation.id} className="border-b border-slate-100 dark:border-slate-900">
                    <td className="py-2 pr-3">{invitation.role}</td>
                    <td className="pr-3 break-all">{invitation.email ?? "Anyone with the link"}</td>
                    <td className="pr-3 break-all">{inviters.get(invitation.created_by)?.label ?? "—"}</td>
                    <td className="pr-3 whitespace-nowrap">{formatDateTime(invitation.expires_at, tz)}</td>
                    <td className="text-right">
                      {(invitation.role !== "owner" || can(org.role, "owners.manage")) && (
                        <RevokeInvitation id={invitation.id} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
          )}
        </div>
      )}

      {!org.personal && (
        <div className="mt-8">
          <LeaveOrganization name={org.name} />
        </div>
      )}

      <div className="mt-8 border-t border-slate-200 pt-6 dark:border-slate-800">
        <h2 className="font-semibold">New organization</h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          You own it, on the Free plan; you may own one Free organization besides your personal one.
        </p>
        <CreateOrganization />
      </div>
    </section>
  );
}
