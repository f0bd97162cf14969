import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { PUT as putWorkingHours } from "@/app/api/account/working-hours/route";
import { PATCH as patchKey } from "@/app/api/api-keys/[id]/route";
import { POST as rotate } from "@/app/api/api-keys/[id]/rotate/route";
import { PUT as putStatus } from "@/app/api/api-keys/[id]/status/route";
import { POST as revoke } from "@/app/api/api-keys/revoke/route";
import { GET as auditLogs } from "@/app/api/audit-logs/route";
import { POST as generate } from "@/app/api/api-keys/generate/route";
import { GET as listKeys } from "@/app/api/api-keys/route";
import { POST as login } from "@/app/api/auth/login/route";
import { POST as logout } from "@/app/api/auth/logout/route";
import { POST as refresh } from "@/app/api/auth/refresh/route";
import { POST as register } from "@/app/api/auth/register/route";
import { GET as usageLogs } from "@/app/api/api-usage-logs/route";
import { GET as summary } from "@/app/api/api-usage-logs/summary/route";
import { GET as data } from "@/app/api/api-routes-data/route";
import { createAccount, generateKey, type Account } from "./support";
import { ctx, noParams, request, seedSampleRoutes } from "../helpers";

/**
 * Hostile input, as a corpus of hand-picked malformed requests and as fast-check properties over
 * every JSON body: whatever arrives, the answer is a 4xx with the JSON envelope (or a success),
 * never a 5xx, never a hang (each call is awaited under the test's timeout).
 */
let account: Account;
let keyId: number;
/** Keys of their own for the endpoints that change a key for good (a rotation ends it). */
let patchedKeyId: number;
let rotatedKeyId: number;

beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "malformed", plan: "enterprise" });
  keyId = (await generateKey(account.token, "malformed", "malformed_user")).id;
  patchedKeyId = (await generateKey(account.token, "malformed-patched", "malformed_user")).id;
  rotatedKeyId = (await generateKey(account.token, "malformed-rotated", "malformed_user")).id;
});

type Call = (init: { rawBody?: string; body?: unknown; query?: string }) => Promise<Response>;

const jsonEndpoints: Array<[string, Call]> = [
  ["POST /api/auth/register", (i) => register(request("POST", "/api/auth/register", i), noParams)],
  ["POST /api/auth/login", (i) => login(request("POST", "/api/auth/login", i), noParams)],
  ["POST /api/auth/refresh", (i) => refresh(request("POST", "/api/auth/refresh", i), noParams)],
  ["POST /api/auth/logout", (i) => logout(request("POST", "/api/auth/logout", i), noParams)],
  [
    "POST /api/api-keys/generate",
    (i) => generate(request("POST", "/api/api-keys/generate", { ...i, token: account.token }), noParams),
  ],
  [
    "PUT /api/api-keys/{id}/status",
    (i) =>
      putStatus(
        request("PUT", `/api/api-keys/${keyId}/status`, { ...i, token: account.token }),
        ctx({ id: String(keyId) }),
      ),
  ],
  [
    "PATCH /api/api-keys/{id}",
    (i) =>
      patchKey(
        request("PATCH", `/api/api-keys/${patchedKeyId}`, { ...i, token: account.token }),
        ctx({ id: String(patchedKeyId) }),
      ),
  ],
  [
    "POST /api/api-keys/{id}/rotate",
    (i) =>
      rotate(
        request("POST", `/api/api-keys/${rotatedKeyId}/rotate`, { ...i, token: account.token }),
        ctx({ id: String(rotatedKeyId) }),
      ),
  ],
  // No credential: a leak report is open to anyone (its answers are 202, 400 or 429).
  ["POST /api/api-keys/revoke", (i) => revoke(request("POST", "/api/api-keys/revoke", i), noParams)],
  [
    "PUT /api/account/working-hours",
    (i) => putWorkingHours(request("PUT", "/api/account/working-hours", { ...i, token: account.token }), noParams),
  ],
];

const queryEndpoints: Array<[string, (query: string) => Promise<Response>]> = [
  ["GET /api/api-keys", (q) => listKeys(request("GET", `/api/api-keys?${q}`, { token: account.token }), noParams)],
  [
    "GET /api/api-usage-logs",
    (q) => usageLogs(request("GET", `/api/api-usage-logs?${q}`, { token: account.token }), noParams),
  ],
  [
    "GET /api/api-usage-logs/summary",
    (q) => summary(request("GET", `/api/api-usage-logs/summary?${q}`, { token: account.token }), noParams),
  ],
  ["GET /api/api-routes-data", (q) => data(request("GET", `/api/api-routes-data?${q}`), noParams)],
  ["GET /api/audit-logs", (q) => auditLogs(request("GET", `/api/audit-logs?${q}`, { token: account.token }), noParams)],
];

const RAW_BODIES = [
  "",
  " ",
  "{",
  "}",
  "{]",
  "[",
  "null",
  "true",
  "0",
  "-1e999",
  '"text"',
  "[]",
  "[{}]",
  "{'single': 'quotes'}",
  '{"a":1,}',
  '{"a":NaN}',
  '{"a":undefined}',
  "\u0000",
  "\ufeff{}",
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  "x".repeat(70_000),
  "[".repeat(5_000),
  '{"a":"\\ud800"}',
  '{"api_key_name":"lone \\ud800 surrogate","user":"u"}',
];

const JSON_BODIES: unknown[] = [
  {},
  { email: null, password: null },
  { email: 1, password: 2 },
  { email: ["a@b.co"], password: ["x"] },
  { email: "not-an-email", password: "12345678" },
  { email: "a@b.co", password: "" },
  { email: "a@b.co".padStart(300, "a"), password: "p".repeat(100) },
  { refresh_token: 42 },
  { refresh_token: "" },
  { refresh_token: { $ne: null } },
  { api_key_name: "", user: "" },
  { api_key_name: "a".repeat(101), user: "u" },
  { api_key_name: "x", user: "bad user!" },
  { api_key_name: "x\u202Eexe", user: "u" },
  { api_key_name: { toString: "x" }, user: "u" },
  { status: "ACTIVE" },
  { status: 1 },
  { status: null },
  { time_zone: "Mars/Olympus", work_start_hour: 8, work_end_hour: 20 },
  { time_zone: "UTC", work_start_hour: -1, work_end_hour: 25 },
  { time_zone: "UTC", work_start_hour: "8", work_end_hour: 20 },
  { routes: "all" },
  { routes: [0, -1, 1.5, "123"] },
  { read_only: "yes" },
  { ip_allowlist: ["999.1.1.1", "10.0.0.0/33", "::g"] },
  { environment: "prod\u0000" },
  { expires_at: "2025-02-30T00:00:00Z" },
  { expires_in_days: 1e9 },
  { grace_period_seconds: "forever" },
  { grace_period_seconds: -1 },
  { api_key: 12 },
  { api_key: "sk_live_" },
  { api_key: "sk_live_" + "z".repeat(5_000) },
];

const QUERIES = [
  "page=0",
  "page=-1",
  "page=1e3",
  "page=0x10",
  "page=abc",
  "page=99999999999999999999",
  "per_page=101",
  "per_page=0",
  "per_page=1.5",
  "status=deleted",
  "status[]=active",
  "q=%00",
  "q=" + "a".repeat(101),
  "api_key_id=-1",
  "api_key_id=1e2",
  "api_key_id=99999999999",
  "from=yesterday",
  "from=2025-02-30",
  "to=2025-13-01",
  "from=2025-02-01&to=2025-01-01",
  "range=30d",
  "range=",
  "id=abc",
  "id=0",
  "id=1.5",
  "action=everything",
  "per_page=1e2",
];

async function expectEnvelopeOr2xx(label: string, response: Response) {
  expect(response.status, label).toBeLessThan(500);
  const text = await response.text();
  if (response.status >= 400) {
    const body = JSON.parse(text);
    expect(body.success, label).toBe(false);
    expect(typeof body.message, label).toBe("string");
  }
}

describe("a corpus of malformed requests", () => {
  const corpusSize =
    jsonEndpoints.length * (RAW_BODIES.length + JSON_BODIES.length) + queryEndpoints.length * QUERIES.length;

  it(`holds ${corpusSize} requests (at least 150)`, () => {
    expect(corpusSize).toBeGreaterThanOrEqual(150);
  });

  it.each(jsonEndpoints)("%s: every malformed body gets a 4xx envelope", async (name, call) => {
    for (const rawBody of RAW_BODIES) {
      const response = await call({ rawBody });
      expect(response.status, `${name} ${JSON.stringify(rawBody.slice(0, 30))}`).toBeGreaterThanOrEqual(400);
      await expectEnvelopeOr2xx(`${name} ${JSON.stringify(rawBody.slice(0, 30))}`, response);
    }
    for (const body of JSON_BODIES) await expectEnvelopeOr2xx(`${name} ${JSON.stringify(body)}`, await call({ body }));
  });

  it.each(queryEndpoints)("%s: every malformed query gets a 4xx envelope", async (name, call) => {
    for (const query of QUERIES) await expectEnvelopeOr2xx(`${name}?${query}`, await call(query));
  });
});

describe("fast-check: any JSON body", () => {
  it.each(jsonEndpoints)(
    "%s answers < 500 with an envelope for any JSON value",
    async (_name, call) => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          const response = await call({ rawBody: JSON.stringify(value) });
          await expectEnvelopeOr2xx(JSON.stringify(value).slice(0, 80), response);
        }),
        { numRuns: 60 },
      );
    },
    60_000,
  );

  it.each(jsonEndpoints)(
    "%s answers < 500 for objects with the right keys and any values",
    async (_name, call) => {
      const keys = ["email", "password", "username", "refresh_token", "api_key_name", "user", "status"];
      const anyValue = fc.oneof(
        fc.string(),
        fc.fullUnicodeString(),
        fc.string16bits(), // lone surrogates too
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.jsonValue(),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...keys, "time_zone", "work_start_hour", "work_end_hour"), anyValue),
          async (body) => {
            await expectEnvelopeOr2xx(JSON.stringify(body).slice(0, 80), await call({ body }));
          },
        ),
        { numRuns: 60 },
      );
    },
    60_000,
  );
});
