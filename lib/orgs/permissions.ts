/**
 * Who may do what in an organization: the one permission matrix (issue 24). Roles live on
 * memberships and are read per request; they are unrelated to the operator role. Every check in
 * the data layer asks `can(role, action)`, and tests/unit/org-permissions.test.ts checks every
 * cell.
 */
export const ORG_ROLES = ["owner", "admin", "developer", "viewer"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export const ORG_ACTIONS = [
  // Keys: metadata, the writes a developer makes, and deletion.
  "keys.read",
  "keys.write",
  "keys.delete",
  // Usage, alerts and the audit log.
  "usage.read",
  "audit.read",
  // Members and invitations (granting or removing the owner role is "owners.manage").
  "members.read",
  "members.manage",
  "owners.manage",
  // The organization itself: its name, its settings (working hours for the alerts), plan requests,
  // deletion, transfer.
  "org.rename",
  "org.settings",
  "org.plan",
  "org.delete",
  "org.transfer",
  // Webhook endpoints: every member sees them (never a secret after creation); owners and admins
  // add, change, rotate and redeliver.
  "webhooks.read",
  "webhooks.manage",
] as const;
export type OrgAction = (typeof ORG_ACTIONS)[number];

const READ: OrgAction[] = ["keys.read", "usage.read", "audit.read", "members.read", "webhooks.read"];

const MATRIX: Record<OrgRole, ReadonlySet<OrgAction>> = {
  // Everything, including plan requests, deleting the organization and transferring it.
  owner: new Set(ORG_ACTIONS),
  // Members and keys; never the owner role, the plan, deletion or transfer.
  admin: new Set([
    ...READ,
    "keys.write",
    "keys.delete",
    "members.manage",
    "org.rename",
    "org.settings",
    "webhooks.manage",
  ]),
  // Generate, rotate, update and deactivate keys; read usage and audit.
  developer: new Set([...READ, "keys.write"]),
  // Read only: keys' metadata, usage, audit.
  viewer: new Set(READ),
};

export function can(role: OrgRole, action: OrgAction): boolean {
  return MATRIX[role].has(action);
}

export function isOrgRole(value: string): value is OrgRole {
  return (ORG_ROLES as readonly string[]).includes(value);
}
