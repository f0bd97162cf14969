import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { expect, test } from "@playwright/test";
import express from "express";
import { createVerifier, expressMiddleware } from "@keyportal/verify";
import { registerAccount, runAdmin } from "./support";

// An Express service written from packages/verify's README, protected by its middleware against
// the shared production server's verify endpoint (its fast path): keys made through the API act
// on the service at the very next call.

test("an Express service behind @keyportal/verify follows the portal's keys call by call", async ({ request }) => {
  const base = test.info().project.use.baseURL!;
  const operator = await registerAccount(request);
  runAdmin("set-role", operator.email, "operator");
  const { token } = await (await request.post("/api/auth/login", { data: operator })).json();
  const bearer = { authorization: `Bearer ${token}` };
  const made = await request.post("/api/admin/service-tokens", { data: { name: "orders-service" }, headers: bearer });
  expect(made.status()).toBe(201);
  const { id: tokenId, token: serviceToken } = await made.json();
  const newKey = async (body: Record<string, unknown>) => {
    const response = await request.post("/api/api-keys/generate", { data: body, headers: bearer });
    expect(response.status()).toBe(201);
    return response.json();
  };
  const key = await newKey({ api_key_name: "orders-client", user: "orders_user" });
  const reader = await newKey({ api_key_name: "orders-reader", user: "orders_user", read_only: true });

  // The README's example, with the end caller's address passed on.
  const verifier = createVerifier({ baseUrl: base, serviceToken });
  const app = express();
  const guard = expressMiddleware(verifier, { route: 123, ip: () => "203.0.113.50" });
  app.get("/orders", guard, (req, res) => {
    res.json({ orders: [], calledBy: (req as unknown as { apiKey: { name: string } }).apiKey.name });
  });
  app.post("/orders", guard, (_req, res) => {
    res.status(201).json({ created: true });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const service = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = (method: string, headers: Record<string, string>) => fetch(`${service}/orders`, { method, headers });
  const as = (k: { api_key: string }) => ({ "x-api-key": k.api_key, "x-username": "orders_user" });
  const AUTH_ERROR = { success: false, message: "Invalid or missing authentication" };

  try {
    const ok = await call("GET", as(key));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ orders: [], calledBy: "orders-client" });
    expect(ok.headers.get("x-ratelimit-limit")).toBe("60");

    const missing = await call("GET", {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual(AUTH_ERROR);

    expect((await call("GET", as(reader))).status).toBe(200);
    const write = await call("POST", as(reader));
    expect(write.status).toBe(403);
    expect(await write.json()).toEqual({ success: false, message: "Insufficient permissions" });

    const off = await request.put(`/api/api-keys/${key.id}/status`, { data: { status: "inactive" }, headers: bearer });
    expect(off.status()).toBe(200);
    const refused = await call("GET", as(key));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual(AUTH_ERROR);

    // Fail-closed: a revoked service token lets nothing through.
    expect((await request.delete(`/api/admin/service-tokens/${tokenId}`, { headers: bearer })).status()).toBe(200);
    expect((await call("GET", as(reader))).status).toBe(503);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
