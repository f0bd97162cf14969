import { describe, expect, it } from "vitest";
import { POST as register } from "@/app/api/auth/register/route";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as refresh } from "@/app/api/auth/refresh/route";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as logout } from "@/app/api/auth/logout/route";
import { db } from "@/lib/db/client";
import {
  AUTH_ERROR,
  ISO_8601,
  createAccount,
  expectError,
  expectUnauthenticated,
  noParams,
  readBody,
  request,
  uniqueEmail,
} from "./support";

function postRegister(body: unknown) {
  return register(request("POST", "/api/auth/register", { body }), noParams);
}
function postRegisterRaw(rawBody: string | undefined) {
  return register(
    request("POST", "/api/auth/register", { rawBody, headers: { "content-type": "application/json" } }),
    noParams,
  );
}
function postLogin(body: unknown) {
  return login(request("POST", "/api/auth/login", { body }), noParams);
}
/** As if `refresh_token`'s first use were a minute ago: past the retry grace, a reuse is a leak. */
async function pastGrace(userId: number) {
  await db().refreshToken.updateMany({
    where: { userId, usedAt: { not: null } },
    data: { usedAt: new Date(Date.now() - 60_000) },
  });
}

function postRefresh(body: unknown) {
  return refresh(request("POST", "/api/auth/refresh", { body }), noParams);
}

/** A Bearer token works when it can list keys. */
async function tokenWorks(token: string): Promise<boolean> {
  const response = await listKeys(request("GET", "/api/api-keys", { token }), noParams);
  return response.status === 200;
}

function expectTokenPair(body: any, before: number) {
  expect(Object.keys(body).sort()).toEqual(["expires_at", "expires_in", "refresh_token", "token", "token_type"]);
  expect(body.token_type).toBe("Bearer");
  expect(body.expires_in).toBe(86400);
  expect(typeof body.token).toBe("string");
  expect(body.token.length).toBeGreaterThan(20);
  expect(typeof body.refresh_token).toBe("string");
  expect(body.refresh_token.length).toBeGreaterThan(20);
  expect(body.refresh_token).not.toBe(body.token);
  expect(body.expires_at).toMatch(ISO_8601);
  // expires_at is 24 hours from now (second precision).
  const expiresAt = Date.parse(body.expires_at);
  expect(expiresAt).toBeGreaterThanOrEqual(before + 86_400_000 - 1_000);
  expect(expiresAt).toBeLessThanOrEqual(Date.now() + 86_400_000 + 1_000);
}

describe("POST /api/auth/register", () => {
  it("creates an account: 201 with exactly {id, email, username, plan, created_at}", async () => {
    const email = uniqueEmail("reg");
    const before = Date.now();
    const response = await postRegister({ email, password: "correct-horse-battery", username: "alice_01" });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await readBody(response);
    expect(Object.keys(body).sort()).toEqual(["created_at", "email", "id", "plan", "username"]);
    expect(Number.isInteger(body.id)).toBe(true);
    expect(body.id).toBeGreaterThan(0);
    expect(body.email).toBe(email);
    expect(body.username).toBe("alice_01");
    expect(body.plan).toBe("free");
    expect(body.created_at).toMatch(ISO_8601);
    expect(Date.parse(body.created_at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(body.created_at)).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it("never returns the password or its hash", async () => {
    const password = "a-very-distinctive-password-42";
    const response = await postRegister({ email: uniqueEmail("private"), password });
    expect(response.status).toBe(201);
    const text = await response.text();
    expect(Object.keys(JSON.parse(text))).not.toContain("password_hash");
    expect(text).not.toContain(password);
    expect(text).not.toMatch(/password/i);
    expect(text).not.toMatch(/hash/i);
    expect(text).not.toMatch(/\$2[aby]\$/); // bcrypt hash prefix
  });

  it("makes username optional and derives one", async () => {
    const response = await postRegister({ email: uniqueEmail("nouser"), password: "12345678" });
    expect(response.status).toBe(201);
    const body = await readBody(response);
    expect(typeof body.username).toBe("string");
    expect(body.username.length).toBeGreaterThan(0);
  });

  it("answers 409 when the email already exists", async () => {
    const email = uniqueEmail("dup");
    expect((await postRegister({ email, password: "12345678" })).status).toBe(201);
    await expectError(await postRegister({ email, password: "another-password" }), 409, /email|exists/i);
  });

  it("answers 409 for the same email in different letter case", async () => {
    const email = uniqueEmail("case");
    expect((await postRegister({ email, password: "12345678" })).status).toBe(201);
    await expectError(await postRegister({ email: email.toUpperCase(), password: "12345678" }), 409, /email|exists/i);
    const mixed = email[0].toUpperCase() + email.slice(1).replace("example", "ExAmPlE");
    await expectError(await postRegister({ email: mixed, password: "12345678" }), 409, /email|exists/i);
  });

  it.each([
    ["an invalid email", { email: "not-an-email", password: "12345678" }, /\bemail\b/],
    ["an email without domain", { email: "user@", password: "12345678" }, /\bemail\b/],
    ["a password of 7 characters", { email: "short@example.com", password: "1234567" }, /\bpassword\b/],
    ["a missing email", { password: "12345678" }, /\bemail\b/],
    ["a missing password", { email: "nopass@example.com" }, /\bpassword\b/],
    ["an email of the wrong type", { email: 12345, password: "12345678" }, /\bemail\b/],
    ["a password of the wrong type", { email: "num@example.com", password: 12345678 }, /\bpassword\b/],
    [
      "a username with spaces",
      { email: "spaces@example.com", password: "12345678", username: "has space" },
      /\busername\b/,
    ],
  ])("answers 400 naming the field for %s", async (_label, body, field) => {
    await expectError(await postRegister(body), 400, field);
  });

  it("answers 400 for a body missing every field, naming one of them", async () => {
    await expectError(await postRegister({}), 400, /\b(email|password)\b/);
  });

  it("answers 400 for malformed JSON", async () => {
    await expectError(await postRegisterRaw('{"email": "x@example.com", "password": '), 400, /JSON/);
  });

  it.each([
    ["an array", "[1, 2, 3]"],
    ["a string", '"email@example.com"'],
    ["a number", "42"],
    ["null", "null"],
  ])("answers 400 for %s instead of a JSON object", async (_label, raw) => {
    await expectError(await postRegisterRaw(raw), 400, /JSON object|object/i);
  });

  it("answers 400 for an empty body", async () => {
    await expectError(await postRegisterRaw(undefined), 400, /body|JSON/i);
    await expectError(await postRegisterRaw(""), 400, /body|JSON/i);
  });

  it("does not create the account when validation fails", async () => {
    const email = uniqueEmail("invalid");
    await expectError(await postRegister({ email, password: "short" }), 400, /\bpassword\b/);
    // The same email registers fine afterwards, so nothing was stored.
    expect((await postRegister({ email, password: "long-enough" })).status).toBe(201);
  });
});

describe("POST /api/auth/login", () => {
  it("answers 200 with {token, token_type: Bearer, expires_in: 86400, expires_at, refresh_token}", async () => {
    const email = uniqueEmail("login");
    await postRegister({ email, password: "login-password" });
    const before = Date.now();
    const response = await postLogin({ email, password: "login-password" });
    expect(response.status).toBe(200);
    const body = await readBody(response);
    expectTokenPair(body, before);
    expect(await tokenWorks(body.token)).toBe(true);
  });

  it("accepts the email in any letter case", async () => {
    const email = uniqueEmail("logincase");
    await postRegister({ email, password: "login-password" });
    const response = await postLogin({ email: email.toUpperCase(), password: "login-password" });
    expect(response.status).toBe(200);
  });

  it("answers the identical 401 body for an unknown email and for a wrong password", async () => {
    const email = uniqueEmail("wrongpw");
    await postRegister({ email, password: "the-right-password" });

    const unknown = await postLogin({ email: uniqueEmail("nobody"), password: "the-right-password" });
    const wrong = await postLogin({ email, password: "the-wrong-password" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const unknownText = await unknown.text();
    const wrongText = await wrong.text();
    expect(JSON.parse(unknownText)).toEqual(AUTH_ERROR);
    expect(wrongText).toBe(unknownText);
  });

  it("does not log in with another account's password", async () => {
    const a = await createAccount({ password: "password-of-a" });
    const b = await createAccount({ password: "password-of-b" });
    await expectUnauthenticated(await postLogin({ email: a.email, password: b.password }));
  });

  it.each([
    ["a missing email", { password: "whatever1" }, /\bemail\b/],
    ["a missing password", { email: "someone@example.com" }, /\bpassword\b/],
    ["an empty password", { email: "someone@example.com", password: "" }, /\bpassword\b/],
    ["an invalid email", { email: "someone", password: "whatever1" }, /\bemail\b/],
  ])("answers 400 naming the field for %s", async (_label, body, field) => {
    await expectError(await postLogin(body), 400, field);
  });

  it("answers 400 for malformed JSON", async () => {
    const response = await login(
      request("POST", "/api/auth/login", { rawBody: "{not json", headers: { "content-type": "application/json" } }),
      noParams,
    );
    await expectError(response, 400, /JSON/);
  });
});

describe("POST /api/auth/refresh", () => {
  it("trades a refresh token for a new working pair", async () => {
    const account = await createAccount();
    const before = Date.now();
    const response = await postRefresh({ refresh_token: account.refreshToken });
    expect(response.status).toBe(200);
    const body = await readBody(response);
    expectTokenPair(body, before);
    expect(body.refresh_token).not.toBe(account.refreshToken);
    expect(await tokenWorks(body.token)).toBe(true);
    // And the new refresh token itself works once.
    const again = await postRefresh({ refresh_token: body.refresh_token });
    expect(again.status).toBe(200);
  });

  it("answers 401 when a refresh token is used a second time after the retry grace", async () => {
    const account = await createAccount();
    expect((await postRefresh({ refresh_token: account.refreshToken })).status).toBe(200);
    await pastGrace(account.id);
    await expectUnauthenticated(await postRefresh({ refresh_token: account.refreshToken }));
  });

  it("revokes the newer token of the same family after a reuse (reuse detection), and its access tokens", async () => {
    const account = await createAccount();
    const first = await readBody(await postRefresh({ refresh_token: account.refreshToken }));
    expect(typeof first.refresh_token).toBe("string");
    expect(await tokenWorks(first.token)).toBe(true);
    await pastGrace(account.id);
    // The original token is presented again: it leaked, so the whole chain dies.
    await expectUnauthenticated(await postRefresh({ refresh_token: account.refreshToken }));
    await expectUnauthenticated(await postRefresh({ refresh_token: first.refresh_token }));
    expect(await tokenWorks(first.token)).toBe(false);
    expect(await tokenWorks(account.token)).toBe(false);
  });

  it("leaves another login's token family alone after a reuse", async () => {
    const account = await createAccount();
    const other = await readBody(await postLogin({ email: account.email, password: account.password }));
    expect((await postRefresh({ refresh_token: account.refreshToken })).status).toBe(200);
    await pastGrace(account.id);
    await expectUnauthenticated(await postRefresh({ refresh_token: account.refreshToken }));
    expect((await postRefresh({ refresh_token: other.refresh_token })).status).toBe(200);
    expect(await tokenWorks(other.token)).toBe(true);
  });

  it("gives a retry within the grace the same new refresh token instead of revoking the family", async () => {
    const account = await createAccount();
    // Two at once with one token (a client retry, two tabs): both answered, with one successor.
    const [a, b] = await Promise.all([
      postRefresh({ refresh_token: account.refreshToken }),
      postRefresh({ refresh_token: account.refreshToken }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [first, second] = [await readBody(a), await readBody(b)];
    expect(second.refresh_token).toBe(first.refresh_token);
    expect(await tokenWorks(first.token)).toBe(true);
    expect(await tokenWorks(second.token)).toBe(true);
    // The successor works once; after it is used, the old token is a reuse even within the grace.
    const next = await postRefresh({ refresh_token: first.refresh_token });
    expect(next.status).toBe(200);
    await expectUnauthenticated(await postRefresh({ refresh_token: account.refreshToken }));
    await expectUnauthenticated(await postRefresh({ refresh_token: (await readBody(next)).refresh_token }));
  });

  it.each([
    ["garbage", "not-a-refresh-token"],
    ["a well-formed but unknown token", "rt_" + "A".repeat(43)],
  ])("answers 401 for %s", async (_label, token) => {
    await expectUnauthenticated(await postRefresh({ refresh_token: token }));
  });

  it("does not accept an access token as a refresh token", async () => {
    const account = await createAccount();
    await expectUnauthenticated(await postRefresh({ refresh_token: account.token }));
  });

  it("answers 400 naming refresh_token when it is missing or not a string", async () => {
    await expectError(await postRefresh({}), 400, /\brefresh_token\b/);
    await expectError(await postRefresh({ refresh_token: 12 }), 400, /\brefresh_token\b/);
  });
});

describe("POST /api/auth/logout", () => {
  const postLogout = (body: unknown) => logout(request("POST", "/api/auth/logout", { body }), noParams);

  it("revokes the login's refresh token and every access token it issued; other logins keep working", async () => {
    const account = await createAccount();
    const other = await readBody(await postLogin({ email: account.email, password: account.password }));
    const refreshed = await readBody(await postRefresh({ refresh_token: account.refreshToken }));
    expect(await tokenWorks(account.token)).toBe(true);

    const response = await postLogout({ refresh_token: refreshed.refresh_token });
    expect(response.status).toBe(200);
    expect(await readBody(response)).toEqual({ success: true, message: "Signed out" });
    expect(await tokenWorks(account.token)).toBe(false);
    expect(await tokenWorks(refreshed.token)).toBe(false);
    await expectUnauthenticated(await postRefresh({ refresh_token: refreshed.refresh_token }));
    expect(await tokenWorks(other.token)).toBe(true);
  });

  it("answers the same for an unknown token, and 400 without one", async () => {
    const unknown = await postLogout({ refresh_token: "rt_" + "B".repeat(43) });
    expect(unknown.status).toBe(200);
    expect(await readBody(unknown)).toEqual({ success: true, message: "Signed out" });
    await expectError(await postLogout({}), 400, /\brefresh_token\b/);
  });
});
