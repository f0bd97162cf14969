import { beforeAll, describe, expect, it } from "vitest";
import * as catchAll from "@/app/api/[[...path]]/route";
import * as keysRoute from "@/app/api/api-keys/route";
import * as generateRoute from "@/app/api/api-keys/generate/route";
import * as keyRoute from "@/app/api/api-keys/[id]/route";
import * as statusRoute from "@/app/api/api-keys/[id]/status/route";
import * as exportRoute from "@/app/api/api-keys/export/route";
import * as usageRoute from "@/app/api/api-usage-logs/route";
import * as dataRoute from "@/app/api/api-routes-data/route";
import * as loginRoute from "@/app/api/auth/login/route";
import * as registerRoute from "@/app/api/auth/register/route";
import * as refreshRoute from "@/app/api/auth/refresh/route";
import { createAccount, ctx, expectError, noParams, request, type Account } from "./support";

type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;

let account: Account;
beforeAll(async () => {
  account = await createAccount({ prefix: "errors" });
});

describe("unknown /api paths (the catch-all route)", () => {
  it.each([
    ["GET", "/api/nope", ["nope"]],
    ["GET", "/api/api-keys/5/rotate", ["api-keys", "5", "rotate"]],
    ["POST", "/api/auth/logout", ["auth", "logout"]],
    ["PUT", "/api/v2/things", ["v2", "things"]],
    ["PATCH", "/api/api-keyz", ["api-keyz"]],
    ["DELETE", "/api/users/1", ["users", "1"]],
  ] as const)("%s %s answers the 404 envelope, not an HTML page", async (method, path, segments) => {
    const handler = (catchAll as Record<string, Handler>)[method];
    expect(typeof handler).toBe("function");
    const response = await handler(request(method, path, { token: account.token }), ctx({ path: [...segments] }));
    await expectError(response, 404);
  });

  it("answers the same 404 with or without a token", async () => {
    const anonymous = await catchAll.GET(request("GET", "/api/nope"), ctx({ path: ["nope"] }));
    const signedIn = await catchAll.GET(request("GET", "/api/nope", { token: account.token }), ctx({ path: ["nope"] }));
    expect(anonymous.status).toBe(404);
    expect(await anonymous.text()).toBe(await signedIn.text());
  });
});

describe("wrong methods answer the 405 envelope with an Allow header", () => {
  const cases: Array<[string, Record<string, unknown>, string[], string[]]> = [
    ["/api/api-keys", keysRoute, ["POST", "PUT", "PATCH", "DELETE"], ["GET"]],
    ["/api/api-keys/generate", generateRoute, ["GET", "PUT", "PATCH", "DELETE"], ["POST"]],
    ["/api/api-keys/1", keyRoute, ["POST", "PUT"], ["GET", "PATCH", "DELETE"]],
    ["/api/api-keys/1/status", statusRoute, ["GET", "POST", "PATCH", "DELETE"], ["PUT"]],
    ["/api/api-keys/export", exportRoute, ["POST", "PUT", "PATCH", "DELETE"], ["GET"]],
    ["/api/api-usage-logs", usageRoute, ["POST", "PUT", "PATCH", "DELETE"], ["GET"]],
    ["/api/api-routes-data?id=123", dataRoute, ["POST", "PUT", "PATCH", "DELETE"], ["GET"]],
    ["/api/auth/login", loginRoute, ["GET", "PUT", "PATCH", "DELETE"], ["POST"]],
    ["/api/auth/register", registerRoute, ["GET", "PUT", "PATCH", "DELETE"], ["POST"]],
    ["/api/auth/refresh", refreshRoute, ["GET", "PUT", "PATCH", "DELETE"], ["POST"]],
  ];

  it("POST /api/api-keys (the reference's list is GET only) answers 405 with Allow: GET", async () => {
    const response = await keysRoute.POST(
      request("POST", "/api/api-keys", { token: account.token, body: {} }),
      noParams,
    );
    expect(response.headers.get("allow")).toBe("GET");
    await expectError(response, 405);
  });

  describe.each(cases)("%s", (path, module, wrong, allowed) => {
    it.each(wrong)("%s answers 405", async (method) => {
      const handler = module[method] as Handler | undefined;
      expect(typeof handler).toBe("function");
      const response = await handler!(request(method, path, { token: account.token }), ctx({ id: "1" }));
      const allow = (response.headers.get("allow") ?? "")
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean);
      expect(allow.sort()).toEqual([...allowed].sort());
      await expectError(response, 405);
    });
  });
});

describe("every error is the JSON envelope", () => {
  it("a 400 from a handler carries the envelope and Cache-Control: no-store", async () => {
    const response = await generateRoute.POST(
      request("POST", "/api/api-keys/generate", {
        token: account.token,
        rawBody: "nope",
        headers: { "content-type": "application/json" },
      }),
      noParams,
    );
    expect(response.headers.get("cache-control") ?? "").toContain("no-store");
    await expectError(response, 400, /JSON/);
  });

  it("a body over the size limit is a 400 envelope, not a crash", async () => {
    const huge = JSON.stringify({ api_key_name: "x".repeat(200_000), user: "svc" });
    const response = await generateRoute.POST(
      request("POST", "/api/api-keys/generate", {
        token: account.token,
        rawBody: huge,
        headers: { "content-type": "application/json" },
      }),
      noParams,
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await expectError(response, response.status);
  });
});
