import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_DATA_DIR } from "../playwright.config";
import { registerAccount } from "./support";

/** POST /api/v1/keys/verify on the production server: its fast path answers, as the App Router route would. */
test("the production server answers verify calls on its fast path, with the route's own answers", async ({
  request,
}) => {
  const operator = await registerAccount(request);
  const admin = spawnSync(
    process.execPath,
    ["node_modules/tsx/dist/cli.mjs", "scripts/admin.ts", "set-role", operator.email, "operator"],
    { env: { ...process.env, DATABASE_URL: `file:${path.join(E2E_DATA_DIR, "e2e.db")}` }, encoding: "utf8" },
  );
  expect(admin.status, admin.stderr).toBe(0);
  const { token } = await (await request.post("/api/auth/login", { data: operator })).json();
  const bearer = { authorization: `Bearer ${token}` };
  const made = await request.post("/api/admin/service-tokens", { data: { name: "e2e-service" }, headers: bearer });
  expect(made.status()).toBe(201);
  const serviceToken = (await made.json()).token as string;
  const key = await (
    await request.post("/api/api-keys/generate", {
      data: { api_key_name: "verified", user: "svc_user" },
      headers: bearer,
    })
  ).json();

  const verify = (data: unknown, auth = `Bearer ${serviceToken}`) =>
    request.post("/api/v1/keys/verify", { data, headers: { authorization: auth } });
  const ok = await verify({ api_key: key.api_key, username: "svc_user", route: 123, ip: "203.0.113.4" });
  expect(ok.status()).toBe(200);
  expect(ok.headers()["x-data-path"]).toBe("fast");
  expect(ok.headers()["cache-control"]).toBe("no-store");
  expect(await ok.json()).toMatchObject({ valid: true, code: "VALID", key: { id: key.id, name: "verified" } });

  const mismatch = await verify({ api_key: key.api_key, username: "someone" });
  expect(await mismatch.json()).toMatchObject({ valid: false, code: "USERNAME_MISMATCH", key: null });

  const badToken = await verify({ api_key: key.api_key, username: "svc_user" }, "Bearer kps_not-a-token");
  expect(badToken.status()).toBe(401);
  expect(await badToken.json()).toEqual({ success: false, message: "Invalid or missing authentication" });

  const malformed = await verify({ api_key: key.api_key });
  expect(malformed.status()).toBe(400);
  expect((await malformed.json()).message).toMatch(/username is required/);

  const tooLarge = await verify({ api_key: key.api_key, username: "x".repeat(70_000) });
  expect(tooLarge.status()).toBe(413);

  // Revoked: the very next call is refused.
  const list = await (await request.get("/api/admin/service-tokens", { headers: bearer })).json();
  const id = list.data.find((row: { name: string }) => row.name === "e2e-service").id;
  expect((await request.delete(`/api/admin/service-tokens/${id}`, { headers: bearer })).status()).toBe(200);
  expect((await verify({ api_key: key.api_key, username: "svc_user" })).status()).toBe(401);
});
