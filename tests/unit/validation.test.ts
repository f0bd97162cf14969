import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDataUrl, parseRouteId } from "@/lib/data-api/data-url";
import { formatZodError } from "@/lib/validation/format-zod-error";
import { registerSchema } from "@/lib/auth/auth-schemas";
import { generateKeySchema, listKeysQuerySchema, keyIdParamsSchema } from "@/lib/keys/key-schemas";
import { usageLogQuerySchema } from "@/lib/usage/usage-schemas";
import { idSchema } from "@/lib/validation/fields";

function message(schema: { safeParse(v: unknown): any }, value: unknown): string {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return formatZodError(result.error);
}

describe("generate key input", () => {
  it("accepts the reference's example and trims the name", () => {
    expect(generateKeySchema.parse({ api_key_name: " Production API Key ", user: "api_user_prod" })).toEqual({
      api_key_name: "Production API Key",
      user: "api_user_prod",
    });
  });

  it("names the field in every error", () => {
    expect(message(generateKeySchema, {})).toBe("api_key_name is required");
    expect(message(generateKeySchema, { api_key_name: "x" })).toBe("user is required");
    expect(message(generateKeySchema, { api_key_name: 7, user: "u" })).toBe("api_key_name must be a string");
    expect(message(generateKeySchema, { api_key_name: "  ", user: "u" })).toBe("api_key_name must not be empty");
    expect(message(generateKeySchema, { api_key_name: "a".repeat(101), user: "u" })).toBe(
      "api_key_name must be 1–100 characters",
    );
    expect(message(generateKeySchema, { api_key_name: "n", user: "has space" })).toMatch(/^user may contain only/);
    expect(message(generateKeySchema, { api_key_name: "n", user: "u".repeat(65) })).toBe(
      "user must be 1–64 characters",
    );
    expect(message(generateKeySchema, null)).toBe("Request body must be a JSON object");
    expect(message(generateKeySchema, [1])).toBe("Request body must be a JSON object");
  });

  it("allows the documented username alphabet", () => {
    expect(generateKeySchema.safeParse({ api_key_name: "n", user: "a.B_c-9@x" }).success).toBe(true);
    expect(generateKeySchema.safeParse({ api_key_name: "n", user: "ü" }).success).toBe(false);
  });
});

describe("register input", () => {
  it("normalises email and enforces password length", () => {
    expect(registerSchema.parse({ email: " A@Example.COM ", password: "12345678" }).email).toBe("a@example.com");
    expect(message(registerSchema, { email: "nope", password: "12345678" })).toBe(
      "email must be a valid email address",
    );
    expect(message(registerSchema, { email: "a@b.co", password: "1234567" })).toBe(
      "password must be at least 8 characters",
    );
    expect(message(registerSchema, { email: "a@b.co" })).toBe("password is required");
  });
});

describe("query input", () => {
  it("defaults and bounds paging", () => {
    expect(listKeysQuerySchema.parse({})).toEqual({ page: 1, per_page: 20 });
    expect(message(listKeysQuerySchema, { per_page: "101" })).toBe("per_page must be between 1 and 100");
    expect(message(listKeysQuerySchema, { page: "0" })).toBe("page must be a positive integer");
    expect(message(listKeysQuerySchema, { status: "deleted" })).toBe('status must be "active" or "inactive"');
  });

  it("parses dates and rejects reversed ranges", () => {
    const q = usageLogQuerySchema.parse({ from: "2025-01-15T10:30:00Z", to: "2025-01-16" });
    expect(q.from?.toISOString()).toBe("2025-01-15T10:30:00.000Z");
    expect(message(usageLogQuerySchema, { from: "yesterday" })).toMatch(/^from must be an ISO 8601/);
    expect(message(usageLogQuerySchema, { from: "2025-02-01", to: "2025-01-01" })).toBe("from must not be after to");
  });

  it("rejects ids that are not plain positive integers", () => {
    expect(keyIdParamsSchema.parse({ id: "42" })).toEqual({ id: 42 });
    for (const id of ["0", "-1", "1.5", "12abc", "1e3", "", "9".repeat(20)]) {
      expect(message(keyIdParamsSchema, { id })).toBe("id must be a positive integer");
    }
  });
});

describe("the data API's route id", () => {
  const bySchema = (raw: string | null) => {
    const parsed = idSchema.safeParse(raw ?? undefined);
    return parsed.success ? { ok: parsed.data } : { refused: parsed.error.issues[0]?.message };
  };
  const byFastPath = (raw: string | null) => {
    const parsed = parseRouteId(raw);
    return parsed.success ? { ok: parsed.data } : { refused: parsed.error.issues[0]?.message };
  };

  it("reads plain ids directly and agrees with idSchema on every input", () => {
    const edges = [null, "", "0", "1", "007", "123", "999999999", "1000000000", "2147483647", "2147483648"];
    for (const raw of [...edges, "-1", "1e3", " 1", "1 ", "１２３", "0x10"])
      expect(byFastPath(raw)).toEqual(bySchema(raw));
    expect(byFastPath("123")).toEqual({ ok: 123 });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{1,12}$/), fc.constant(null)), (raw) => {
        expect(byFastPath(raw)).toEqual(bySchema(raw));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("the data API's URL", () => {
  const byUrl = (raw: string) => {
    const url = new URL(raw, "http://localhost");
    return { pathname: url.pathname, id: url.searchParams.get("id") };
  };

  it("reads the usual form directly and agrees with WHATWG URL on every input", () => {
    expect(parseDataUrl("/api/api-routes-data?id=123")).toEqual({ pathname: "/api/api-routes-data", id: "123" });
    const edges = [
      "/api/api-routes-data",
      "/api/api-routes-data?",
      "/api/api-routes-data?id=",
      "/api/api-routes-data?id",
      "/api/api-routes-data?id=1&id=2",
      "/api/api-routes-data?x=1&id=2",
      "/api/api-routes-data?id=%31%32",
      "/api/api-routes-data?id=1+2",
      "/api/api-routes-data?id=12#frag",
      "/api/./api-routes-data?id=1",
      "/api/%61pi-routes-data?id=1",
      "//api//api-routes-data?id=1",
      "/api/api-routes-data?id=" + "9".repeat(13),
      "http://example.com/api/api-routes-data?id=5",
      "/api/api-routes-data?ID=5",
    ];
    for (const raw of edges) expect(parseDataUrl(raw)).toEqual(byUrl(raw));
    const part = fc.stringMatching(/^[\w/.%+#?&=-]{0,24}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          part.map((s) => `/${s}`),
          part.map((s) => `/api/api-routes-data?${s}`),
          fc.string(),
        ),
        (raw) => {
          const expected = (() => {
            try {
              return byUrl(raw);
            } catch {
              return "throws";
            }
          })();
          const actual = (() => {
            try {
              return parseDataUrl(raw);
            } catch {
              return "throws";
            }
          })();
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
