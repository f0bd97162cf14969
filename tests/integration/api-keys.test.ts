import { beforeAll, describe, expect, it } from "vitest";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { GET as getKey, DELETE as deleteKey } from "@/app/api/api-keys/[id]/route";
import { PUT as putStatus } from "@/app/api/api-keys/[id]/status/route";
import { db, dialect } from "@/lib/db/client";
import { keyChoices } from "@/lib/keys/key-queries";
import { hasValidKeyFormat } from "@/lib/keys/secret";
import {
  ISO_8601,
  KEY_FORMAT,
  createAccount,
  ctx,
  expectError,
  generateKey,
  noParams,
  readBody,
  request,
  setStatus,
  type Account,
  type GeneratedKey,
} from "./support";

// The reference's fields, then issue 12's (expiry, scopes, allow-list, environment, rotation).
const KEY_FIELDS = [
  "api_key_name",
  "created_at",
  "created_by",
  "environment",
  "expires_at",
  "id",
  "ip_allowlist",
  "key_hint",
  "last_used_at",
  "read_only",
  "rotated_at",
  "rotated_from_id",
  "rotation_due",
  "routes",
  "status",
  "status_reason",
  "user",
];

function postGenerate(token: string, body: unknown) {
  return generate(request("POST", "/api/api-keys/generate", { token, body }), noParams);
}
function postGenerateRaw(token: string, rawBody: string | undefined) {
  return generate(
    request("POST", "/api/api-keys/generate", { token, rawBody, headers: { "content-type": "application/json" } }),
    noParams,
  );
}
async function list(token: string, query = "") {
  const response = await listKeys(request("GET", `/api/api-keys${query}`, { token }), noParams);
  return { response, text: await response.clone().text(), body: await readBody(response) };
}
function get(token: string, id: string | number) {
  return getKey(request("GET", `/api/api-keys/${id}`, { token }), ctx({ id: String(id) }));
}
function remove(token: string, id: string | number) {
  return deleteKey(request("DELETE", `/api/api-keys/${id}`, { token }), ctx({ id: String(id) }));
}
function putStatusRaw(token: string, id: string | number, rawBody: string) {
  return putStatus(
    request("PUT", `/api/api-keys/${id}/status`, { token, rawBody, headers: { "content-type": "application/json" } }),
    ctx({ id: String(id) }),
  );
}

function expectKeyShape(key: any) {
  expect(Object.keys(key).sort()).toEqual(KEY_FIELDS);
  expect(Number.isInteger(key.id)).toBe(true);
  expect(["active", "inactive"]).toContain(key.status);
  expect(key.created_at).toMatch(ISO_8601);
  if (key.last_used_at !== null) expect(key.last_used_at).toMatch(ISO_8601);
}

describe("POST /api/api-keys/generate", () => {
  let account: Account;
  beforeAll(async () => {
    account = await createAccount({ prefix: "gen", plan: "enterprise" });
  });

  it("answers 201 with the reference's fields in the reference's order, the key shown once", async () => {
    const before = Date.now();
    const response = await postGenerate(account.token, { api_key_name: "Production API Key", user: "api_user_prod" });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control") ?? "").toContain("no-store");
    const body = await readBody(response);
    expect(Object.keys(body).slice(0, 6)).toEqual(["id", "api_key_name", "api_key", "user", "status", "created_at"]);
    expect(body).toMatchObject({ api_key_name: "Production API Key", user: "api_user_prod", status: "active" });
    expect(Number.isInteger(body.id)).toBe(true);
    expect(body.id).toBeGreaterThan(0);
    expect(body.api_key).toMatch(KEY_FORMAT);
    expect(hasValidKeyFormat(body.api_key)).toBe(true);
    expect(body.created_at).toMatch(ISO_8601);
    expect(Date.parse(body.created_at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(body.created_at)).toBeLessThanOrEqual(Date.now() + 1_000);
    // Extras are allowed, but none may carry the digest.
    expect(JSON.stringify(body)).not.toMatch(/digest/i);
  });

  it("gives a different secret every time", async () => {
    const a = await generateKey(account.token, "one", "svc");
    const b = await generateKey(account.token, "two", "svc");
    expect(a.api_key).not.toBe(b.api_key);
    expect(a.id).not.toBe(b.id);
  });

  it("accepts the boundaries: a 100-character name and a 64-character user of the whole alphabet", async () => {
    const name = "n".repeat(100);
    const user = ("a.B_c-9@x" + "z".repeat(64)).slice(0, 64);
    const key = await generateKey(account.token, name, user);
    expect(key.api_key_name).toBe(name);
    expect(key.user).toBe(user);
  });

  it.each([
    ["an empty name", { api_key_name: "", user: "svc" }, /\bapi_key_name\b/],
    ["a blank name", { api_key_name: "   ", user: "svc" }, /\bapi_key_name\b/],
    ["a 101-character name", { api_key_name: "n".repeat(101), user: "svc" }, /\bapi_key_name\b/],
    ["a missing name", { user: "svc" }, /\bapi_key_name\b/],
    ["a name of the wrong type", { api_key_name: 42, user: "svc" }, /\bapi_key_name\b/],
    ["a user with spaces", { api_key_name: "ok", user: "api user" }, /\buser\b/],
    ["a 65-character user", { api_key_name: "ok", user: "u".repeat(65) }, /\buser\b/],
    ["an empty user", { api_key_name: "ok", user: "" }, /\buser\b/],
    ["a user with a character outside A-Za-z0-9._@-", { api_key_name: "ok", user: "svc/admin" }, /\buser\b/],
    ["a missing user", { api_key_name: "ok" }, /\buser\b/],
    ["a user of the wrong type", { api_key_name: "ok", user: ["svc"] }, /\buser\b/],
  ])("answers 400 naming the field for %s", async (_label, body, field) => {
    await expectError(await postGenerate(account.token, body), 400, field);
  });

  it("answers 400 for malformed JSON, a non-object and an empty body", async () => {
    await expectError(await postGenerateRaw(account.token, '{"api_key_name": "x",'), 400, /JSON/);
    await expectError(await postGenerateRaw(account.token, '["x", "y"]'), 400, /object/i);
    await expectError(await postGenerateRaw(account.token, undefined), 400, /body|JSON/i);
  });

  it("stores nothing when validation fails", async () => {
    const before = await db().apiKey.count();
    await expectError(await postGenerate(account.token, { api_key_name: "", user: "svc" }), 400, /\bapi_key_name\b/);
    expect(await db().apiKey.count()).toBe(before);
  });
});

describe("GET /api/api-keys", () => {
  let account: Account;
  let other: Account;
  const keys: GeneratedKey[] = [];

  beforeAll(async () => {
    account = await createAccount({ prefix: "list", plan: "enterprise" });
    other = await createAccount({ prefix: "list-other", plan: "enterprise" });
    const specs: Array<[string, string]> = [
      ["prod-api-server-main", "svc_prod"],
      ["staging-integration", "svc_staging"],
      ["dev-local-machine-john", "john.doe"],
      ["billing worker", "svc_billing"],
      ["Reporting Cron", "reports@corp"],
    ];
    for (const [name, user] of specs) keys.push(await generateKey(account.token, name, user));
    await generateKey(other.token, "other-account-prod", "svc_prod");
  });

  it("lists the account's keys with the pagination block", async () => {
    const { response, body } = await list(account.token);
    expect(response.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["data", "pagination"]);
    expect(body.pagination).toEqual({ page: 1, per_page: 20, total: keys.length });
    expect(body.data).toHaveLength(keys.length);
    expect(body.data.map((k: any) => k.id).sort()).toEqual(keys.map((k) => k.id).sort());
    for (const item of body.data) expectKeyShape(item);
  });

  it("returns each key's public fields, matching what generate returned", async () => {
    const { body } = await list(account.token);
    for (const generated of keys) {
      const item = body.data.find((k: any) => k.id === generated.id);
      expect(item).toMatchObject({
        id: generated.id,
        api_key_name: generated.api_key_name,
        user: generated.user,
        status: "active",
        created_at: generated.created_at,
        last_used_at: null,
      });
    }
  });

  it("never contains a secret or a digest", async () => {
    const { body, text } = await list(account.token);
    for (const generated of keys) {
      expect(text).not.toContain(generated.api_key);
      expect(text).not.toContain(generated.api_key.slice("sk_live_".length));
    }
    expect(text).not.toMatch(/digest/i);
    for (const item of body.data) expect(item).not.toHaveProperty("api_key");
  });

  it("shows a hint of at most the first and last 4 characters", async () => {
    const { body } = await list(account.token);
    for (const generated of keys) {
      const hint: string = body.data.find((k: any) => k.id === generated.id).key_hint;
      const secretBody = generated.api_key.slice("sk_live_".length);
      expect(hint.startsWith("sk_live_")).toBe(true);
      const shown = hint.slice("sk_live_".length).replace(/[^0-9A-Za-z]/g, "");
      expect(shown.length).toBeLessThanOrEqual(8);
      expect(secretBody.startsWith(shown.slice(0, 4))).toBe(true);
      expect(secretBody.endsWith(shown.slice(-4))).toBe(true);
    }
  });

  it("paginates with page and per_page", async () => {
    const pages = [];
    for (const page of [1, 2, 3]) {
      const { response, body } = await list(account.token, `?page=${page}&per_page=2`);
      expect(response.status).toBe(200);
      expect(body.pagination).toEqual({ page, per_page: 2, total: keys.length });
      pages.push(body.data.map((k: any) => k.id));
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const all = pages.flat();
    expect(new Set(all).size).toBe(keys.length);
    expect(all.sort()).toEqual(keys.map((k) => k.id).sort());
  });

  it("answers an empty page past the end, with the true total", async () => {
    const { response, body } = await list(account.token, "?page=9&per_page=2");
    expect(response.status).toBe(200);
    expect(body).toEqual({ data: [], pagination: { page: 9, per_page: 2, total: keys.length } });
  });

  it("filters by status", async () => {
    const target = keys[1];
    expect((await setStatus(account.token, target.id, "inactive")).status).toBe(200);
    try {
      const inactive = await list(account.token, "?status=inactive");
      expect(inactive.body.pagination.total).toBe(1);
      expect(inactive.body.data.map((k: any) => k.id)).toEqual([target.id]);
      expect(inactive.body.data[0].status).toBe("inactive");

      const active = await list(account.token, "?status=active");
      expect(active.body.pagination.total).toBe(keys.length - 1);
      expect(active.body.data.map((k: any) => k.id)).not.toContain(target.id);
      for (const item of active.body.data) expect(item.status).toBe("active");
    } finally {
      await setStatus(account.token, target.id, "active");
    }
  });

  it("searches the name with q", async () => {
    const { body } = await list(account.token, "?q=staging");
    expect(body.pagination.total).toBe(1);
    expect(body.data.map((k: any) => k.api_key_name)).toEqual(["staging-integration"]);
  });

  it("searches the user with q", async () => {
    const { body } = await list(account.token, "?q=john.doe");
    expect(body.data.map((k: any) => k.user)).toEqual(["john.doe"]);
    const corp = await list(account.token, `?q=${encodeURIComponent("reports@")}`);
    expect(corp.body.data.map((k: any) => k.api_key_name)).toEqual(["Reporting Cron"]);
  });

  it("matches q against name or user and counts the matches", async () => {
    // "svc_" is in three users; "prod" is in one name and one user of the same key.
    const svc = await list(account.token, "?q=svc_");
    expect(svc.body.pagination.total).toBe(3);
    expect(svc.body.data.map((k: any) => k.user).sort()).toEqual(["svc_billing", "svc_prod", "svc_staging"]);
    const prod = await list(account.token, "?q=prod");
    expect(prod.body.data.map((k: any) => k.api_key_name)).toEqual(["prod-api-server-main"]);
  });

  it("pages a search newest first, with the status filter applied to it", async () => {
    const all = await list(account.token, "?q=svc_");
    const pages = [1, 2, 3].map((page) => list(account.token, `?q=svc_&per_page=1&page=${page}`));
    const ids = [];
    for (const { body } of await Promise.all(pages)) {
      expect(body.pagination.total).toBe(3);
      ids.push(...body.data.map((k: any) => k.id));
    }
    expect(ids).toEqual(all.body.data.map((k: any) => k.id));
    expect((await list(account.token, "?q=svc_&per_page=1&page=4")).body).toMatchObject({
      data: [],
      pagination: { total: 3 },
    });
    const target = all.body.data[1];
    await setStatus(account.token, target.id, "inactive");
    try {
      const inactive = await list(account.token, "?q=svc_&status=inactive");
      expect(inactive.body.pagination.total).toBe(1);
      expect(inactive.body.data.map((k: any) => k.id)).toEqual([target.id]);
      expect((await list(account.token, "?q=svc_&status=active")).body.pagination.total).toBe(2);
    } finally {
      await setStatus(account.token, target.id, "active");
    }
  });

  it("treats q literally: q=\\ matches no key, since no name or user contains a backslash", async () => {
    const backslash = await list(account.token, `?q=${encodeURIComponent("\\")}`);
    expect(backslash.response.status).toBe(200);
    expect(backslash.body.pagination.total).toBe(0);
  });

  it("treats q literally: q=% matches no key, since no name or user contains %", async () => {
    const percent = await list(account.token, `?q=${encodeURIComponent("%")}`);
    expect(percent.response.status).toBe(200);
    expect(percent.body.pagination.total).toBe(0);
  });

  it("treats q literally: q=_ matches only the three users that contain _", async () => {
    // "_" is in three users (svc_prod, svc_staging, svc_billing) and in no name.
    const underscore = await list(account.token, "?q=_");
    expect(underscore.response.status).toBe(200);
    expect(underscore.body.data.map((k: any) => k.user).sort()).toEqual(["svc_billing", "svc_prod", "svc_staging"]);
  });

  it("answers no match with an empty list", async () => {
    const { response, body } = await list(account.token, "?q=no-such-key-anywhere");
    expect(response.status).toBe(200);
    expect(body).toEqual({ data: [], pagination: { page: 1, per_page: 20, total: 0 } });
  });

  it("combines q and status", async () => {
    const { body } = await list(account.token, "?q=svc_&status=inactive");
    expect(body.pagination.total).toBe(0);
  });

  it("never lists another account's keys", async () => {
    const mine = await list(account.token, "?q=other-account");
    expect(mine.body.pagination.total).toBe(0);
    const theirs = await list(other.token);
    expect(theirs.body.pagination.total).toBe(1);
    expect(theirs.body.data[0].api_key_name).toBe("other-account-prod");
  });

  it.each([
    ["per_page=101", "?per_page=101", /\bper_page\b/],
    ["per_page=0", "?per_page=0", /\bper_page\b/],
    ["per_page=abc", "?per_page=abc", /\bper_page\b/],
    ["page=0", "?page=0", /\bpage\b/],
    ["page=-1", "?page=-1", /\bpage\b/],
    ["page=1.5", "?page=1.5", /\bpage\b/],
    ["status=deleted", "?status=deleted", /\bstatus\b/],
    ["a 101-character q", `?q=${"q".repeat(101)}`, /\bq\b/],
  ])("answers 400 naming the parameter for %s", async (_label, query, field) => {
    const response = await listKeys(request("GET", `/api/api-keys${query}`, { token: account.token }), noParams);
    await expectError(response, 400, field);
  });

  it("accepts per_page=100", async () => {
    const { response, body } = await list(account.token, "?per_page=100");
    expect(response.status).toBe(200);
    expect(body.pagination).toEqual({ page: 1, per_page: 100, total: keys.length });
  });
});

describe("GET, PUT status and DELETE /api/api-keys/{id}", () => {
  let owner: Account;
  let stranger: Account;
  let key: GeneratedKey;

  beforeAll(async () => {
    owner = await createAccount({ prefix: "owner", plan: "enterprise" });
    stranger = await createAccount({ prefix: "stranger", plan: "enterprise" });
    key = await generateKey(owner.token, "Owned key", "svc_owned");
  });

  it("GET answers 200 with the key's public fields", async () => {
    const response = await get(owner.token, key.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await response.text();
    const body = JSON.parse(text);
    expectKeyShape(body);
    expect(body).toMatchObject({
      id: key.id,
      api_key_name: "Owned key",
      user: "svc_owned",
      status: "active",
      created_at: key.created_at,
      last_used_at: null,
    });
    expect(text).not.toContain(key.api_key);
    expect(text).not.toMatch(/digest/i);
  });

  it("GET answers the same as the list entry", async () => {
    const single = await readBody(await get(owner.token, key.id));
    const { body } = await list(owner.token);
    expect(body.data.find((k: any) => k.id === key.id)).toEqual(single);
  });

  it("answers another account's key with a 404 identical to a missing id, for GET, PUT and DELETE", async () => {
    const missingId = key.id + 10_000;
    const pairs: Array<[Response, Response]> = [
      [await get(stranger.token, key.id), await get(stranger.token, missingId)],
      [await setStatus(stranger.token, key.id, "inactive"), await setStatus(stranger.token, missingId, "inactive")],
      [await remove(stranger.token, key.id), await remove(stranger.token, missingId)],
    ];
    for (const [foreign, missing] of pairs) {
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      const foreignText = await foreign.text();
      expect(foreignText).toBe(await missing.text());
      const body = JSON.parse(foreignText);
      expect(Object.keys(body).sort()).toEqual(["message", "success"]);
      expect(body.success).toBe(false);
    }
    // And the stranger's attempts changed nothing.
    const after = await readBody(await get(owner.token, key.id));
    expect(after.status).toBe("active");
  });

  it.each(["abc", "0", "-1", "1.5", "12abc", "1e3"])(
    "answers 400 naming id for the bad id %j on GET, PUT and DELETE",
    async (id) => {
      await expectError(await get(owner.token, id), 400, /\bid\b/);
      await expectError(await setStatus(owner.token, id as unknown as number, "inactive"), 400, /\bid\b/);
      await expectError(await remove(owner.token, id), 400, /\bid\b/);
    },
  );

  it.each([
    ["an unknown status", { status: "disabled" }],
    ["a missing status", {}],
    ["a status of the wrong type", { status: true }],
    ["an upper-case status", { status: "INACTIVE" }],
  ])("PUT status answers 400 naming status for %s", async (_label, body) => {
    const response = await putStatus(
      request("PUT", `/api/api-keys/${key.id}/status`, { token: owner.token, body }),
      ctx({ id: String(key.id) }),
    );
    await expectError(response, 400, /\bstatus\b/);
  });

  it("PUT status answers 400 for malformed JSON and a non-object", async () => {
    await expectError(await putStatusRaw(owner.token, key.id, "{status: inactive}"), 400, /JSON/);
    await expectError(await putStatusRaw(owner.token, key.id, '"inactive"'), 400, /object/i);
  });

  it("PUT status answers 200 with the updated key and the change persists", async () => {
    const off = await setStatus(owner.token, key.id, "inactive");
    expect(off.status).toBe(200);
    const offBody = await readBody(off);
    expectKeyShape(offBody);
    expect(offBody).toMatchObject({ id: key.id, api_key_name: "Owned key", user: "svc_owned", status: "inactive" });
    expect((await readBody(await get(owner.token, key.id))).status).toBe("inactive");

    const on = await setStatus(owner.token, key.id, "active");
    expect(on.status).toBe(200);
    expect(await readBody(on)).toMatchObject({ id: key.id, status: "active" });
    expect((await readBody(await get(owner.token, key.id))).status).toBe("active");
  });

  it("PUT status is idempotent", async () => {
    expect((await setStatus(owner.token, key.id, "active")).status).toBe(200);
    const again = await setStatus(owner.token, key.id, "active");
    expect(again.status).toBe(200);
    expect((await readBody(again)).status).toBe("active");
  });

  it("DELETE answers 200 {success: true, message}, then the key is gone everywhere", async () => {
    const doomed = await generateKey(owner.token, "Doomed key", "svc_doomed");
    const response = await remove(owner.token, doomed.id);
    expect(response.status).toBe(200);
    const body = await readBody(response);
    expect(Object.keys(body).sort()).toEqual(["message", "success"]);
    expect(body.success).toBe(true);
    expect(typeof body.message).toBe("string");
    expect(body.message.length).toBeGreaterThan(0);

    await expectError(await get(owner.token, doomed.id), 404);
    await expectError(await remove(owner.token, doomed.id), 404);
    await expectError(await setStatus(owner.token, doomed.id, "active"), 404);
    const { body: listed } = await list(owner.token);
    expect(listed.data.map((k: any) => k.id)).not.toContain(doomed.id);
    expect(await db().apiKey.findUnique({ where: { id: doomed.id } })).toBeNull();
  });

  it("a missing id answers the same 404 body for GET, PUT and DELETE", async () => {
    const missing = key.id + 20_000;
    const get404 = await expectError(await get(owner.token, missing), 404);
    const put404 = await expectError(await setStatus(owner.token, missing, "active"), 404);
    const delete404 = await expectError(await remove(owner.token, missing), 404);
    expect(put404).toEqual(get404);
    expect(delete404).toEqual(get404);
  });
});

describe("keyChoices (the usage page's key filter)", () => {
  it("lists every key up to the limit, else the newest and the selected one, by name", async () => {
    const owner = await createAccount({ prefix: "choices", plan: "professional" });
    const made = [];
    for (const name of ["delta", "alpha", "echo", "charlie", "bravo"])
      made.push(await generateKey(owner.token, name, "u"));
    const all = await keyChoices(owner.id, 10);
    expect(all).toEqual({
      truncated: false,
      keys: made.map((k) => ({ id: k.id, name: k.api_key_name })).sort((a, b) => a.name.localeCompare(b.name)),
    });
    // The three newest are echo, charlie, bravo; delta (the oldest) stays in when it is the one selected.
    const some = await keyChoices(owner.id, 3, made[0].id);
    expect(some.truncated).toBe(true);
    expect(some.keys.map((k) => k.name)).toEqual(["bravo", "charlie", "delta", "echo"]);
    // Another account's key is never an option.
    const other = await createAccount({ prefix: "choices-other" });
    expect((await keyChoices(other.id, 3, made[0].id)).keys).toEqual([]);
  });
});

// The keys page and every generate count the keys under the plan's limit: from an index alone, not
// by reading each key's row (23 ms a load for the bench's 100,000 keys).
describe.runIf(dialect() === "sqlite")("counting an account's keys", () => {
  it("reads the (owner, rotated) index only", async () => {
    const plan = await db().$queryRawUnsafe<Array<{ detail: string }>>(
      "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM api_keys WHERE owner_id = 1 AND rotated_at IS NULL",
    );
    expect(plan.map((step) => step.detail).join(" | ")).toContain("COVERING INDEX api_keys_owner_id_rotated_at_idx");
  });
});
