import { beforeAll, describe, expect, it } from "vitest";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { GET as getKey, DELETE as deleteKey } from "@/app/api/api-keys/[id]/route";
import { PUT as putStatus } from "@/app/api/api-keys/[id]/status/route";
import { GET as exportKeys } from "@/app/api/api-keys/export/route";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { signAccessToken } from "@/lib/auth/access-token";
import { db } from "@/lib/db/client";
import {
  createAccount,
  ctx,
  expectUnauthenticated,
  generateKey,
  noParams,
  readBody,
  request,
  type Account,
} from "./support";

/**
 * The key and usage-log routes behind `Authorization: Bearer`: a missing, malformed, tampered or expired token
 * gets the reference's 401 body, and nothing changes.
 */

let account: Account;
let keyId: number;
let expiredToken: string;
let ghostToken: string;

beforeAll(async () => {
  account = await createAccount({ prefix: "bearer", plan: "enterprise" });
  expiredToken = (await signAccessToken(account.id, "a-family", Date.now() - 2 * 86_400 * 1000)).token;
  ghostToken = (await signAccessToken(987_654, "a-family")).token;
  keyId = (await generateKey(account.token, "Bearer target", "bearer_user")).id;
});

type Call = (headers: Record<string, string>) => Promise<Response>;

const routes: Array<[string, Call]> = [
  ["GET /api/api-keys", (headers) => listKeys(request("GET", "/api/api-keys", { headers }), noParams)],
  [
    "POST /api/api-keys/generate",
    (headers) =>
      generate(
        request("POST", "/api/api-keys/generate", { headers, body: { api_key_name: "x", user: "y" } }),
        noParams,
      ),
  ],
  [
    "GET /api/api-keys/{id}",
    (headers) => getKey(request("GET", `/api/api-keys/${keyId}`, { headers }), ctx({ id: String(keyId) })),
  ],
  [
    "PUT /api/api-keys/{id}/status",
    (headers) =>
      putStatus(
        request("PUT", `/api/api-keys/${keyId}/status`, { headers, body: { status: "inactive" } }),
        ctx({ id: String(keyId) }),
      ),
  ],
  [
    "DELETE /api/api-keys/{id}",
    (headers) => deleteKey(request("DELETE", `/api/api-keys/${keyId}`, { headers }), ctx({ id: String(keyId) })),
  ],
  ["GET /api/api-keys/export", (headers) => exportKeys(request("GET", "/api/api-keys/export", { headers }), noParams)],
  ["GET /api/api-usage-logs", (headers) => usageLogs(request("GET", "/api/api-usage-logs", { headers }), noParams)],
];

/** One character of the signature changed (not the last: its low bits are padding a decoder may ignore). */
function tamperSignature(token: string): string {
  const at = token.length - 10;
  return token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
}

/** Keeps the original signature but claims to be another user. */
function tamperPayload(token: string, sub: string): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  claims.sub = sub;
  return [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
}

/** An unsigned token ("alg": "none"), the classic JWT bypass. */
function algNone(token: string): string {
  const [, payload] = token.split(".");
  const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
  return `${header}.${payload}.`;
}

const badAuthorizations: Array<[string, () => Record<string, string>]> = [
  ["no Authorization header", () => ({})],
  ["an empty Authorization header", () => ({ authorization: "" })],
  ["the Bearer scheme without a token", () => ({ authorization: "Bearer" })],
  ["the Bearer scheme and a blank token", () => ({ authorization: "Bearer    " })],
  ["a token without the Bearer scheme", () => ({ authorization: account.token })],
  [
    "the Basic scheme",
    () => ({ authorization: `Basic ${Buffer.from(`${account.email}:${account.password}`).toString("base64")}` }),
  ],
  ["a malformed token", () => ({ authorization: "Bearer not.a.jwt" })],
  ["a token with two parts", () => ({ authorization: `Bearer ${account.token.split(".").slice(0, 2).join(".")}` })],
  ["a tampered signature", () => ({ authorization: `Bearer ${tamperSignature(account.token)}` })],
  ["a tampered payload", () => ({ authorization: `Bearer ${tamperPayload(account.token, String(account.id + 1))}` })],
  ["an unsigned alg:none token", () => ({ authorization: `Bearer ${algNone(account.token)}` })],
  ["an expired token", () => ({ authorization: `Bearer ${expiredToken}` })],
  ["a refresh token used as a Bearer token", () => ({ authorization: `Bearer ${account.refreshToken}` })],
  ["an API key used as a Bearer token", () => ({ authorization: "Bearer sk_live_" + "a".repeat(38) })],
];

describe.each(routes)("%s", (_name, call) => {
  it.each(badAuthorizations)("answers the reference's 401 body for %s", async (_label, headers) => {
    await expectUnauthenticated(await call(headers()));
  });

  it("accepts a valid token (the 401s above are not the route's only answer)", async () => {
    const response = await call({ authorization: `Bearer ${account.token}` });
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(300);
    // Restore what the mutating routes changed, so each call acts on the same key.
    if (_name.startsWith("DELETE")) {
      keyId = (await generateKey(account.token, "Bearer target", "bearer_user")).id;
    } else if (_name.startsWith("PUT")) {
      expect((await readBody(response)).status).toBe("inactive");
    }
  });
});

describe("rejected Bearer calls change nothing", () => {
  it("leaves the key in place after unauthenticated PUT and DELETE", async () => {
    const target = await generateKey(account.token, "Untouchable", "bearer_user");
    const params = ctx({ id: String(target.id) });
    await expectUnauthenticated(
      await putStatus(request("PUT", `/api/api-keys/${target.id}/status`, { body: { status: "inactive" } }), params),
    );
    await expectUnauthenticated(
      await deleteKey(
        request("DELETE", `/api/api-keys/${target.id}`, { token: tamperSignature(account.token) }),
        params,
      ),
    );
    const row = await db().apiKey.findUnique({ where: { id: target.id } });
    expect(row?.status).toBe("active");
  });

  it("creates no key for an unauthenticated generate", async () => {
    const before = await db().apiKey.count();
    await expectUnauthenticated(
      await generate(request("POST", "/api/api-keys/generate", { body: { api_key_name: "x", user: "y" } }), noParams),
    );
    expect(await db().apiKey.count()).toBe(before);
  });

  it("answers 401 (not a 500) for a validly signed token whose account does not exist", async () => {
    const ghost = ghostToken;
    await expectUnauthenticated(
      await generate(
        request("POST", "/api/api-keys/generate", { token: ghost, body: { api_key_name: "x", user: "y" } }),
        noParams,
      ),
    );
  });

  it("accepts the scheme name in any letter case", async () => {
    const response = await listKeys(
      request("GET", "/api/api-keys", { headers: { authorization: `bearer ${account.token}` } }),
      noParams,
    );
    expect(response.status).toBe(200);
  });
});
