import { describe, expect, it } from "vitest";
import { can, isOrgRole, ORG_ACTIONS, ORG_ROLES, type OrgAction, type OrgRole } from "@/lib/orgs/permissions";

// The permission matrix of issue 24, written out here cell by cell from the text, apart
// from lib/orgs/permissions.ts: a change to either that the other does not share fails.
//   owner: everything, including plan requests, deleting the organization, transferring it;
//   admin: members and keys, never the owner role;
//   developer: generate, rotate, update, deactivate keys; read usage and audit;
//   viewer: read only (keys' metadata, usage, audit).
const Y = true;
const N = false;
const EXPECTED: Record<OrgAction, Record<OrgRole, boolean>> = {
  "keys.read": { owner: Y, admin: Y, developer: Y, viewer: Y },
  "keys.write": { owner: Y, admin: Y, developer: Y, viewer: N },
  "keys.delete": { owner: Y, admin: Y, developer: N, viewer: N },
  "usage.read": { owner: Y, admin: Y, developer: Y, viewer: Y },
  "audit.read": { owner: Y, admin: Y, developer: Y, viewer: Y },
  "members.read": { owner: Y, admin: Y, developer: Y, viewer: Y },
  "members.manage": { owner: Y, admin: Y, developer: N, viewer: N },
  "owners.manage": { owner: Y, admin: N, developer: N, viewer: N },
  "org.rename": { owner: Y, admin: Y, developer: N, viewer: N },
  // Working hours (the off-hours alert): the team's settings, which its admins keep.
  "org.settings": { owner: Y, admin: Y, developer: N, viewer: N },
  "org.plan": { owner: Y, admin: N, developer: N, viewer: N },
  "org.delete": { owner: Y, admin: N, developer: N, viewer: N },
  "org.transfer": { owner: Y, admin: N, developer: N, viewer: N },
  // Webhooks (issue 29): every member sees the endpoints; owners and admins manage them.
  "webhooks.read": { owner: Y, admin: Y, developer: Y, viewer: Y },
  "webhooks.manage": { owner: Y, admin: Y, developer: N, viewer: N },
};

describe("the organization permission matrix", () => {
  it("covers every action", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ORG_ACTIONS].sort());
  });

  for (const action of ORG_ACTIONS) {
    for (const role of ORG_ROLES) {
      it(`${role} ${EXPECTED[action][role] ? "may" : "may not"} ${action}`, () => {
        expect(can(role, action)).toBe(EXPECTED[action][role]);
      });
    }
  }

  it("knows its roles and nothing else", () => {
    for (const role of ORG_ROLES) expect(isOrgRole(role)).toBe(true);
    for (const other of ["operator", "user", "Owner", ""]) expect(isOrgRole(other)).toBe(false);
  });
});
