import { beforeAll, describe, expect, it } from "vitest";
import { GET as listTokens, POST as createToken } from "@/app/api/admin/service-tokens/route";
import { DELETE as deleteToken } from "@/app/api/admin/service-tokens/[id]/route";
import { setRole } from "@/lib/auth/roles";
import { authenticateServiceToken } from "@/lib/auth/service-tokens";
import { db } from "@/lib/db/client";
import { errorForLog } from "@/lib/log/redact";
import { createAccount, ctx, expectError, noParams, readBody, request, type Account } from "./support";

/** /api/admin/service-tokens: the credentials services verify keys with, shown once and stored as digests. */
let operator: Account;
let user: Account;

beforeAll(async () => {
  operator = await createAccount({ prefix: "tokens-operator" });
  user = await createAccount({ prefix: "tokens-user" });
  await setRole(operator.email, "operator");
});

const create = (name: unknown, token = operator.token) =>
  createToken(request("POST", "/api/admin/service-tokens", { token, body: { name } }), noParams);

describe("service tokens", () => {
  it("are shown once, listed by hint, and stored only as a digest", async () => {
    const response = await create("billing-service");
    expect(response.status).toBe(201);
    const created = await readBody(response);
    expect(created).toEqual({
      id: expect.any(Number),
      name: "billing-service",
      token: expect.stringMatching(/^kps_[A-Za-z0-9_-]{43}$/),
    });

    const list = await readBody(
      await listTokens(request("GET", "/api/admin/service-tokens", { token: operator.token }), noParams),
    );
    const listedRow = list.data.find((row: any) => row.id === created.id);
    expect(listedRow).toMatchObject({
      name: "billing-service",
      token_hint: `kps_…${created.token.slice(-4)}`,
      created_by: operator.id,
      last_used_at: null,
    });
    expect(JSON.stringify(list)).not.toContain(created.token);

    const stored = await db().serviceToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(4));
    expect(stored.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(errorForLog(new Error(`failed with ${created.token}`))).not.toContain(created.token.slice(4, 20));
  });

  it("authenticate while they exist, and not from the moment they are revoked", async () => {
    const { id, token } = await readBody(await create("revoked-soon"));
    expect(await authenticateServiceToken(`Bearer ${token}`)).toEqual({ id });
    expect(await authenticateServiceToken(`Bearer ${token.slice(0, -1)}x`)).toBeNull();
    expect(await authenticateServiceToken(`Bearer ${token}x`)).toBeNull();
    expect(await authenticateServiceToken(token)).toBeNull();
    expect((await db().serviceToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull();

    const deleted = await deleteToken(
      request("DELETE", `/api/admin/service-tokens/${id}`, { token: operator.token }),
      ctx({ id: String(id) }),
    );
    expect(deleted.status).toBe(200);
    expect(await authenticateServiceToken(`Bearer ${token}`)).toBeNull();
    await expectError(
      await deleteToken(
        request("DELETE", `/api/admin/service-tokens/${id}`, { token: operator.token }),
        ctx({ id: String(id) }),
      ),
      404,
      /not found/,
    );
    const audit = await db().auditLog.findMany({
      where: { ownerId: operator.id, action: { startsWith: "service_token." } },
    });
    expect(audit.map((row) => row.action)).toEqual([
      "service_token.created",
      "service_token.created",
      "service_token.deleted",
    ]);
  });

  it("refuse a missing or bad name, and accounts that are not operators", async () => {
    await expectError(await create(""), 400, /name must not be empty/);
    await expectError(await create(undefined), 400, /name is required/);
    await expectError(await create("x", user.token), 403, /Insufficient permissions/);
  });
});
