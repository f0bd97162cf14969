// HTTP calls to one instance of test:scale's pair, by port.
import crypto from "node:crypto";

export interface Answer {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

export interface Account {
  email: string;
  password: string;
  token: string;
}

/** A key as POST /api/api-keys/generate answers it: the only time its secret is shown. */
export interface IssuedKey {
  id: number;
  api_key: string;
  user: string;
}

const base = (port: number) => `http://127.0.0.1:${port}`;

interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(
  port: number,
  method: string,
  pathname: string,
  { token, body, headers = {} }: CallOptions = {},
): Promise<Answer> {
  const response = await fetch(base(port) + pathname, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
    redirect: "manual",
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (a page)
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** A new account registered and signed in (Bearer token) through `port`. */
export async function newAccount(port: number, prefix: string): Promise<Account> {
  const email = `${prefix}-${crypto.randomBytes(4).toString("hex")}@example.com`;
  const password = "scale-test-password";
  const registered = await call(port, "POST", "/api/auth/register", { body: { email, password } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await call(port, "POST", "/api/auth/login", { body: { email, password } });
  return { email, password, token: login.json.token };
}

export const dataCall = (port: number, key: IssuedKey, userAgent = "scale-test") =>
  call(port, "GET", "/api/api-routes-data?id=123", {
    headers: { "x-api-key": key.api_key, "x-username": key.user, "user-agent": userAgent },
  });

/** A portal session through next-auth's credentials flow on one instance: its cookie header. */
export async function portalSession(port: number, account: Account): Promise<string> {
  const csrf = await fetch(`${base(port)}/api/auth/csrf`);
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base(port)}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email: account.email, password: account.password, json: "true" }),
    redirect: "manual",
  });
  const all = [...cookies, ...response.headers.getSetCookie().map((c) => c.split(";")[0])];
  return all.filter((c) => c.startsWith("next-auth.session-token=")).join("; ");
}
