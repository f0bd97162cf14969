import { beforeAll, describe, expect, it } from "vitest";
import { PUT as putWorkingHours } from "@/app/api/account/working-hours/route";
import { DELETE as deleteKey, GET as getKey, PATCH as patchKey } from "@/app/api/api-keys/[id]/route";
import { POST as rotateKey } from "@/app/api/api-keys/[id]/rotate/route";
import { PUT as putStatus } from "@/app/api/api-keys/[id]/status/route";
import { GET as exportKeys } from "@/app/api/api-keys/export/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { GET as listUsage } from "@/app/api/api-usage-logs/route";
import { GET as usageSummary } from "@/app/api/api-usage-logs/summary/route";
import { GET as listAudit } from "@/app/api/audit-logs/route";
import { GET as listDeliveries } from "@/app/api/webhooks/[id]/deliveries/route";
import { POST as redeliver } from "@/app/api/webhooks/[id]/deliveries/[delivery_id]/redeliver/route";
import { POST as rotateWebhookSecret } from "@/app/api/webhooks/[id]/rotate-secret/route";
import { DELETE as deleteWebhook, GET as getWebhook, PATCH as patchWebhook } from "@/app/api/webhooks/[id]/route";
import { GET as listWebhooks, POST as createWebhookRoute } from "@/app/api/webhooks/route";
import { createWebhook } from "@/lib/webhooks/webhook-endpoints";
import { db } from "@/lib/db/client";
import { createOrganization } from "@/lib/orgs/organizations";
import { ORGANIZATION_SCOPED } from "@/lib/openapi/organization-operations";
import type { OrgRole } from "@/lib/orgs/permissions";
import { seedSampleRoutes } from "../helpers";
import { callData, createAccount, ctx, noParams, readBody, request, type Account } from "./support";

// The organization a REST call acts on (X-Organization-Id) and what each role may do there:
// every organization endpoint x every role, written out cell by cell; a caller who is not a
// member gets the 404 envelope everywhere; a member removed is refused at the next request; keys
// outlive the member who made them. Memberships are written directly here: invitations and the
// member endpoints are tests/integration/organization-members.test.ts.
type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;

let owner: Account;
let team: number;
const members = {} as Record<OrgRole, Account>;
let outsider: Account;

beforeAll(async () => {
  await seedSampleRoutes();
  owner = await createAccount({ prefix: "org-owner" });
  team = (await createOrganization(owner.id, "Team")).id;
  // Room for the keys the trials make (a new organization starts on Free: two keys).
  await db().organization.update({ where: { id: team }, data: { plan: "enterprise" } });
  members.owner = owner;
  for (const role of ["admin", "developer", "viewer"] as const) {
    members[role] = await createAccount({ prefix: `org-${role}` });
    await db().membership.create({ data: { organizationId: team, userId: members[role].id, role } });
  }
  outsider = await createAccount({ prefix: "org-outsider" });
});

const inTeam = (organization: number | string = team) => ({ "x-organization-id": String(organization) });

async function newTeamKey(name: string) {
  const response = await generate(
    request("POST", "/api/api-keys/generate", {
      token: owner.token,
      headers: inTeam(),
      body: { api_key_name: name, user: "team_user" },
    }),
    noParams,
  );
  expect(response.status).toBe(201);
  return (await readBody(response)) as { id: number; api_key: string; user: string };
}

/** One call of an endpoint as `account` in `organization`: the handler, the method's path and body. */
interface Endpoint {
  name: string;
  /** Statuses for owner, admin, developer, viewer, in that order. */
  expected: [number, number, number, number];
  call: (account: Account, organization: number | string) => Promise<Response>;
}

const as = (
  handler: Handler,
  method: string,
  path: string,
  options: { body?: unknown; params?: Record<string, string> } = {},
) => {
  return (account: Account, organization: number | string) =>
    handler(
      request(method, path, {
        token: account.token,
        headers: inTeam(organization),
        ...(options.body === undefined ? {} : { body: options.body }),
      }),
      ctx(options.params ?? {}),
    );
};

// A public address literal: accepted without DNS (WEBHOOK_ALLOW_PRIVATE is unset here).
const HOOK_URL = "https://93.184.216.34/team-hook";

/** Per call, a fresh webhook endpoint of the team. */
const onWebhook =
  (make: (id: number) => (account: Account, organization: number | string) => Promise<Response>) =>
  async (account: Account, organization: number | string) =>
    make((await createWebhook(team, { url: HOOK_URL, events: ["key.created"] })).endpoint.id)(account, organization);

/** Per call, a fresh key of the team where the call changes one. */
const onKey =
  (make: (id: number) => (account: Account, organization: number | string) => Promise<Response>) =>
  async (account: Account, organization: number | string) =>
    make((await newTeamKey(`target-${Math.random().toString(36).slice(2, 10)}`)).id)(account, organization);

const ENDPOINTS: Endpoint[] = [
  { name: "GET /api/api-keys", expected: [200, 200, 200, 200], call: as(listKeys, "GET", "/api/api-keys") },
  {
    name: "POST /api/api-keys/generate",
    expected: [201, 201, 201, 403],
    call: (account, organization) =>
      as(generate, "POST", "/api/api-keys/generate", {
        body: { api_key_name: `made-${Math.random().toString(36).slice(2, 10)}`, user: "team_user" },
      })(account, organization),
  },
  {
    name: "GET /api/api-keys/export",
    expected: [200, 200, 200, 200],
    call: as(exportKeys, "GET", "/api/api-keys/export"),
  },
  {
    name: "GET /api/api-keys/{id}",
    expected: [200, 200, 200, 200],
    call: onKey((id) => as(getKey, "GET", `/api/api-keys/${id}`, { params: { id: String(id) } })),
  },
  {
    name: "PATCH /api/api-keys/{id}",
    expected: [200, 200, 200, 403],
    call: onKey((id) =>
      as(patchKey, "PATCH", `/api/api-keys/${id}`, { params: { id: String(id) }, body: { read_only: true } }),
    ),
  },
  {
    name: "PUT /api/api-keys/{id}/status",
    expected: [200, 200, 200, 403],
    call: onKey((id) =>
      as(putStatus, "PUT", `/api/api-keys/${id}/status`, { params: { id: String(id) }, body: { status: "inactive" } }),
    ),
  },
  {
    name: "POST /api/api-keys/{id}/rotate",
    expected: [201, 201, 201, 403],
    call: onKey((id) =>
      as(rotateKey, "POST", `/api/api-keys/${id}/rotate`, {
        params: { id: String(id) },
        body: { grace_period_seconds: 0 },
      }),
    ),
  },
  {
    name: "DELETE /api/api-keys/{id}",
    expected: [200, 200, 403, 403],
    call: onKey((id) => as(deleteKey, "DELETE", `/api/api-keys/${id}`, { params: { id: String(id) } })),
  },
  { name: "GET /api/audit-logs", expected: [200, 200, 200, 200], call: as(listAudit, "GET", "/api/audit-logs") },
  {
    name: "GET /api/api-usage-logs",
    expected: [200, 200, 200, 200],
    call: as(listUsage, "GET", "/api/api-usage-logs"),
  },
  {
    name: "GET /api/api-usage-logs/summary",
    expected: [200, 200, 200, 200],
    call: as(usageSummary, "GET", "/api/api-usage-logs/summary"),
  },
  {
    name: "PUT /api/account/working-hours",
    expected: [200, 200, 403, 403],
    call: as(putWorkingHours, "PUT", "/api/account/working-hours", {
      body: { time_zone: "Europe/Berlin", work_start_hour: 9, work_end_hour: 17 },
    }),
  },
  { name: "GET /api/webhooks", expected: [200, 200, 200, 200], call: as(listWebhooks, "GET", "/api/webhooks") },
  {
    name: "POST /api/webhooks",
    expected: [201, 201, 403, 403],
    call: as(createWebhookRoute, "POST", "/api/webhooks", { body: { url: HOOK_URL, events: ["key.created"] } }),
  },
  {
    name: "GET /api/webhooks/{id}",
    expected: [200, 200, 200, 200],
    call: onWebhook((id) => as(getWebhook, "GET", `/api/webhooks/${id}`, { params: { id: String(id) } })),
  },
  {
    name: "PATCH /api/webhooks/{id}",
    expected: [200, 200, 403, 403],
    call: onWebhook((id) =>
      as(patchWebhook, "PATCH", `/api/webhooks/${id}`, { params: { id: String(id) }, body: { description: "x" } }),
    ),
  },
  {
    name: "DELETE /api/webhooks/{id}",
    expected: [200, 200, 403, 403],
    call: onWebhook((id) => as(deleteWebhook, "DELETE", `/api/webhooks/${id}`, { params: { id: String(id) } })),
  },
  {
    name: "POST /api/webhooks/{id}/rotate-secret",
    expected: [200, 200, 403, 403],
    call: onWebhook((id) =>
      as(rotateWebhookSecret, "POST", `/api/webhooks/${id}/rotate-secret`, { params: { id: String(id) } }),
    ),
  },
  {
    name: "GET /api/webhooks/{id}/deliveries",
    expected: [200, 200, 200, 200],
    call: onWebhook((id) =>
      as(listDeliveries, "GET", `/api/webhooks/${id}/deliveries`, { params: { id: String(id) } }),
    ),
  },
  {
    name: "POST /api/webhooks/{id}/deliveries/{delivery_id}/redeliver",
    expected: [202, 202, 403, 403],
    call: async (account, organization) => {
      const id = (await createWebhook(team, { url: HOOK_URL, events: ["key.created"] })).endpoint.id;
      await newTeamKey(`hooked-${Math.random().toString(36).slice(2, 10)}`);
      const delivery = await db().webhookDelivery.findFirstOrThrow({ where: { endpointId: id } });
      return as(redeliver, "POST", `/api/webhooks/${id}/deliveries/${delivery.id}/redeliver`, {
        params: { id: String(id), delivery_id: String(delivery.id) },
      })(account, organization);
    },
  },
];

const ROLES: OrgRole[] = ["owner", "admin", "developer", "viewer"];

describe("every organization endpoint x every role", () => {
  it("covers the operations the OpenAPI document says act on an organization", () => {
    const tested = ENDPOINTS.map(({ name }) => name.replace(/^[A-Z]+/, (method) => method.toLowerCase()));
    expect(new Set(tested)).toEqual(ORGANIZATION_SCOPED);
  });

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: ${ROLES.map((role, i) => `${role} ${endpoint.expected[i]}`).join(", ")}`, async () => {
      const got: number[] = [];
      for (const role of ROLES) {
        const response = await endpoint.call(members[role], team);
        got.push(response.status);
        if (response.status === 403) {
          expect(await readBody(response)).toEqual({ success: false, message: "Insufficient permissions" });
        }
      }
      expect(got).toEqual(endpoint.expected);
    });
  }
});

describe("an organization the caller is not in", () => {
  it("is the same 404 envelope on every endpoint, for another's, an unknown and a malformed id", async () => {
    for (const endpoint of ENDPOINTS) {
      for (const organization of [team, owner.id, 2_000_000_000, "abc", "0"]) {
        const response = await endpoint.call(outsider, organization);
        expect({ endpoint: endpoint.name, organization, status: response.status }).toEqual({
          endpoint: endpoint.name,
          organization,
          status: 404,
        });
        expect(await readBody(response)).toEqual({ success: false, message: "Organization not found" });
      }
    }
  });
});

describe("one organization per request", () => {
  it("keeps the team's keys out of the owner's personal organization, and the other way round", async () => {
    const teamKey = await newTeamKey("team-only");
    const personal = await readBody(
      await listKeys(request("GET", "/api/api-keys?per_page=100", { token: owner.token }), noParams),
    );
    expect(personal.data.map((key: { id: number }) => key.id)).not.toContain(teamKey.id);
    const inTeamList = await readBody(
      await listKeys(request("GET", "/api/api-keys?per_page=100", { token: owner.token, headers: inTeam() }), noParams),
    );
    expect(inTeamList.data.map((key: { id: number }) => key.id)).toContain(teamKey.id);
    // Named by id outside its organization: not found, as any key that is not the caller's.
    const outside = await getKey(
      request("GET", `/api/api-keys/${teamKey.id}`, { token: owner.token }),
      ctx({ id: String(teamKey.id) }),
    );
    expect(outside.status).toBe(404);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: teamKey.id } })).ownerId).toBe(team);
  });

  it("refuses a removed member at their next request; the keys they made keep working", async () => {
    const leaver = await createAccount({ prefix: "org-leaver" });
    await db().membership.create({ data: { organizationId: team, userId: leaver.id, role: "developer" } });
    const made = await generate(
      request("POST", "/api/api-keys/generate", {
        token: leaver.token,
        headers: inTeam(),
        body: { api_key_name: "made-by-leaver", user: "leaver_user" },
      }),
      noParams,
    );
    expect(made.status).toBe(201);
    const key = await readBody(made);
    expect(key.created_by).toBe(leaver.id);
    expect((await callData({ key: key.api_key, username: "leaver_user" })).status).toBe(200);

    await db().membership.delete({ where: { organizationId_userId: { organizationId: team, userId: leaver.id } } });
    const next = await listKeys(request("GET", "/api/api-keys", { token: leaver.token, headers: inTeam() }), noParams);
    expect(next.status).toBe(404);
    expect((await callData({ key: key.api_key, username: "leaver_user" })).status).toBe(200);
    // The team still sees who made it.
    const kept = await getKey(
      request("GET", `/api/api-keys/${key.id}`, { token: owner.token, headers: inTeam() }),
      ctx({ id: String(key.id) }),
    );
    expect((await readBody(kept)).created_by).toBe(leaver.id);
  });

  it("names the member who acted: the key's maker, and each audit entry's actor", async () => {
    const developer = members.developer;
    const made = await generate(
      request("POST", "/api/api-keys/generate", {
        token: developer.token,
        headers: inTeam(),
        body: { api_key_name: "made-by-developer", user: "dev_user" },
      }),
      noParams,
    );
    const key = await readBody(made);
    expect(key.created_by).toBe(developer.id);
    const rotated = await readBody(
      await rotateKey(
        request("POST", `/api/api-keys/${key.id}/rotate`, {
          token: members.admin.token,
          headers: inTeam(),
          body: { grace_period_seconds: 0 },
        }),
        ctx({ id: String(key.id) }),
      ),
    );
    expect(rotated.created_by).toBe(members.admin.id);
    const trail = await readBody(
      await listAudit(
        request("GET", `/api/audit-logs?api_key_id=${key.id}`, { token: members.viewer.token, headers: inTeam() }),
        noParams,
      ),
    );
    expect(trail.data.map((row: { action: string; actor_user_id: number }) => [row.action, row.actor_user_id])).toEqual(
      [
        ["key.rotate", members.admin.id],
        ["key.generate", developer.id],
      ],
    );
  });
});
