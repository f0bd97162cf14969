import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as patchKey, GET as getKey } from "@/app/api/api-keys/[id]/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { nameTakenMessage } from "@/lib/keys/key-commands";
import { seedSampleRoutes } from "../helpers";
import {
  callData,
  createAccount,
  ctx,
  expectError,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
  type GeneratedKey,
} from "./support";

async function rename(token: string, id: number | string, body: unknown) {
  const response = await patchKey(request("PATCH", `/api/api-keys/${id}`, { token, body }), ctx({ id: String(id) }));
  return { response, body: await readBody(response.clone()) };
}

async function generateRaw(token: string, api_key_name: string, user = "rename_user") {
  const response = await generate(
    request("POST", "/api/api-keys/generate", { token, body: { api_key_name, user } }),
    noParams,
  );
  return { response, body: await readBody(response.clone()) };
}

describe("key names: unique per account, case-insensitively, and renamable (PATCH /api/api-keys/{id})", () => {
  let owner: Account;
  let other: Account;
  let billing: GeneratedKey;
  let reports: GeneratedKey;

  beforeAll(async () => {
    await seedSampleRoutes();
    owner = await createAccount({ prefix: "rename", plan: "professional" });
    other = await createAccount({ prefix: "rename-other", plan: "professional" });
    billing = await generateKey(owner.token, "Billing", "billing_svc");
    reports = await generateKey(owner.token, "reports", "reports_svc");
  });

  it("refuses a second key with the same name in any case, with 409 and a clear message", async () => {
    for (const name of ["Billing", "BILLING", "billing"]) {
      const { response } = await generateRaw(owner.token, name);
      await expectError(response, 409, nameTakenMessage(name));
    }
    // Another account may use it.
    expect((await generateRaw(other.token, "billing")).response.status).toBe(201);
  });

  it("renames a key: 200 with the key object, the new name everywhere, and the key still works", async () => {
    const { response, body } = await rename(owner.token, reports.id, { api_key_name: "reports-2026" });
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ id: reports.id, api_key_name: "reports-2026", user: "reports_svc", status: "active" });
    const read = await getKey(
      request("GET", `/api/api-keys/${reports.id}`, { token: owner.token }),
      ctx({ id: String(reports.id) }),
    );
    expect((await readBody(read)).api_key_name).toBe("reports-2026");
    expect((await callData({ key: reports.api_key, username: "reports_svc" })).status).toBe(200);
    // The old name is free again.
    expect((await generateRaw(owner.token, "reports")).response.status).toBe(201);
  });

  it("lets a key change the case of its own name, and refuses another key's name with 409", async () => {
    expect((await rename(owner.token, billing.id, { api_key_name: "billing" })).body.api_key_name).toBe("billing");
    const taken = await rename(owner.token, billing.id, { api_key_name: "REPORTS-2026" });
    await expectError(taken.response, 409, nameTakenMessage("REPORTS-2026"));
    expect((await rename(owner.token, billing.id, { api_key_name: "Billing" })).response.status).toBe(200);
  });

  it("answers 404 for another account's key or an unknown id, and 400 for a bad name or id", async () => {
    await expectError(
      (await rename(other.token, billing.id, { api_key_name: "stolen" })).response,
      404,
      "API key not found",
    );
    await expectError((await rename(owner.token, 999_999, { api_key_name: "x" })).response, 404, "API key not found");
    for (const body of [{}, { api_key_name: "" }, { api_key_name: "x".repeat(101) }, { api_key_name: 5 }, null]) {
      const { response, body: answer } = await rename(owner.token, billing.id, body);
      expect(response.status).toBe(400);
      expect(answer.success).toBe(false);
    }
    expect((await rename(owner.token, "abc", { api_key_name: "x" })).response.status).toBe(400);
    expect((await rename("not-a-token", billing.id, { api_key_name: "x" })).response.status).toBe(401);
  });

  it("lets exactly one of 10 concurrent generates with one name through", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => generateRaw(owner.token, "race-name")));
    expect(results.map((r) => r.response.status).sort()).toEqual([201, ...Array(9).fill(409)]);
  });
});
