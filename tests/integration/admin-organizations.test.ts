import { beforeAll, describe, expect, it } from "vitest";
import { GET as getOrganization, PATCH as patchOrganization } from "@/app/api/admin/organizations/[id]/route";
import { GET as listOrganizations } from "@/app/api/admin/organizations/route";
import { GET as listAudit } from "@/app/api/audit-logs/route";
import { setRole } from "@/lib/auth/roles";
import { seedSampleRoutes } from "../helpers";
import {
  callData,
  createAccount,
  ctx,
  FORBIDDEN_ERROR,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
  type GeneratedKey,
} from "./support";

// The operator's organizations API (issue 25, its first part): find an organization by a
// member's email, suspend and restore it, change its plan, each effective at the key's next call
// and visible to the owner in their audit log as the operator's.

let operator: Account;
let owner: Account;
let key: GeneratedKey;

beforeAll(async () => {
  await seedSampleRoutes();
  operator = await createAccount({ prefix: "console-operator" });
  await setRole(operator.email, "operator");
  owner = await createAccount({ prefix: "console-owner" });
  key = await generateKey(owner.token, "console-key", "console_user");
});

const list = (token: string, query: string) =>
  listOrganizations(request("GET", `/api/admin/organizations?${query}`, { token }), noParams);
const change = (token: string, id: number | string, body: unknown) =>
  patchOrganization(request("PATCH", `/api/admin/organizations/${id}`, { token, body }), ctx({ id: String(id) }));

describe("operator organizations", () => {
  it("finds an organization by a member's email, with its figures", async () => {
    expect((await callData({ key: key.api_key, username: key.user })).status).toBe(200);
    const response = await list(operator.token, `q=${encodeURIComponent(owner.email.toUpperCase())}`);
    expect(response.status).toBe(200);
    const body = await readBody(response);
    expect(body.pagination).toMatchObject({ page: 1, total: 1 });
    expect(body.data[0]).toMatchObject({
      id: owner.id,
      personal: true,
      owner_email: owner.email,
      plan: "free",
      subscription: "active",
      rate_limit: null,
      key_count: 1,
      member_count: 1,
    });
    // A page past the end has no row to count with: the total is counted on its own.
    const past = await readBody(await list(operator.token, `q=${encodeURIComponent(owner.email)}&page=3`));
    expect(past).toMatchObject({ data: [], pagination: { page: 3, total: 1 } });
    const filtered = await readBody(await list(operator.token, `q=${encodeURIComponent(owner.email)}&plan=enterprise`));
    expect(filtered.data).toEqual([]);
    const one = await getOrganization(
      request("GET", `/api/admin/organizations/${owner.id}`, { token: operator.token }),
      ctx({ id: String(owner.id) }),
    );
    expect((await readBody(one)).owner_email).toBe(owner.email);
  });

  it("suspends and restores at the key's next call; a plan change moves its limit; the owner sees the operator", async () => {
    expect((await change(operator.token, owner.id, { subscription: "inactive" })).status).toBe(200);
    const refused = await callData({ key: key.api_key, username: key.user });
    expect(refused.status).toBe(403);
    expect(await readBody(refused)).toEqual(FORBIDDEN_ERROR);
    expect((await change(operator.token, owner.id, { subscription: "active" })).status).toBe(200);
    const restored = await callData({ key: key.api_key, username: key.user });
    expect(restored.status).toBe(200);
    expect(restored.headers.get("x-ratelimit-limit")).toBe("60");
    const upgraded = await change(operator.token, owner.id, { plan: "professional" });
    expect((await readBody(upgraded)).plan).toBe("professional");
    expect((await callData({ key: key.api_key, username: key.user })).headers.get("x-ratelimit-limit")).toBe("5000");

    const audit = await readBody(
      await listAudit(request("GET", "/api/audit-logs?per_page=10", { token: owner.token }), noParams),
    );
    const operatorRows = audit.data
      .filter((row: { actor: string }) => row.actor === "operator")
      .map((row: { action: string; details: unknown; actor_user_id: number }) => [
        row.action,
        row.details,
        row.actor_user_id,
      ]);
    expect(operatorRows).toEqual([
      ["account.plan", { before: "free", after: "professional" }, operator.id],
      ["account.subscription", { before: "inactive", after: "active" }, operator.id],
      ["account.subscription", { before: "active", after: "inactive" }, operator.id],
    ]);
  });

  it("refuses every other account (403), bad input (400) and unknown ids (404)", async () => {
    const refused = await list(owner.token, "");
    expect(refused.status).toBe(403);
    expect(await readBody(refused)).toEqual(FORBIDDEN_ERROR);
    expect((await change(owner.token, owner.id, { plan: "enterprise" })).status).toBe(403);
    expect((await change(operator.token, owner.id, {})).status).toBe(400);
    expect((await change(operator.token, owner.id, { plan: "gold" })).status).toBe(400);
    expect((await change(operator.token, owner.id, { rate_limit: 0 })).status).toBe(400);
    expect((await change(operator.token, 999_999_999, { plan: "free" })).status).toBe(404);
    expect((await list(operator.token, "per_page=1000")).status).toBe(400);
  });
});
