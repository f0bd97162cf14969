import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGatewayUrl, safeQuery, safeRest } from "@/lib/gateway/gateway-path";

// The gateway appends the rest of /gw/{slug}/… to the upstream base's path (lib/gateway/gateway-path.ts).
// Whatever a client sends, a path it accepts stays below the base path on the upstream's host even
// for an upstream that resolves dot segments and decodes %2F / %5C as separators.
const BASE = "/api/v1";
const pieces = [
  ".",
  "..",
  "%2e",
  "%2E",
  "%2e%2e",
  "%2f",
  "%2F",
  "%5c",
  "%5C",
  "\\",
  "/",
  "//",
  "a",
  "b-c",
  "%20",
  "%",
  "%zz",
  ":",
  "@",
  "~",
];

function staysBelowBase(path: string): boolean {
  // Read the way the most lenient upstream would: encoded separators decoded first, then resolved.
  const lenient = path.replace(/%2f/gi, "/").replace(/%5c/gi, "/").replace(/%2e/gi, ".").replaceAll("\\", "/");
  const resolved = new URL(`${BASE}${lenient}`, "http://upstream.example");
  return (
    resolved.host === "upstream.example" && (resolved.pathname === BASE || resolved.pathname.startsWith(`${BASE}/`))
  );
}

describe("the gateway's rest of the path", () => {
  it("never leaves the base path or the host, whatever the segments", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }), (parts) => {
        const rest = `/${parts.join("")}`;
        const checked = safeRest(rest);
        if ("path" in checked) expect(staysBelowBase(checked.path), `${rest} → ${checked.path}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(["/..", "/a/../..", "/%2e%2e", "/.%2E", "/a%2fb", "/a%5Cb", "/a\\b", "//host/x", "/%zz", "/."])(
    "refuses %s",
    (rest) => {
      expect(safeRest(rest)).toHaveProperty("error");
    },
  );

  it("keeps what is already encoded and encodes what a request target may not carry", () => {
    expect(safeRest("/a%20b/c.d/..e/~x")).toEqual({ path: "/a%20b/c.d/..e/~x" });
    expect(safeRest("/a b/é")).toEqual({ path: "/a%20b/%C3%A9" });
    expect(safeRest("")).toEqual({ path: "" });
    expect(safeQuery("a=1&b=%2F#x")).toBe("a=1&b=%2F%23x");
  });

  it("reads slug, rest and query from the request URL", () => {
    expect(parseGatewayUrl("/gw/svc/a/b?x=1")).toEqual({ slug: "svc", rest: "/a/b", query: "x=1" });
    expect(parseGatewayUrl("/gw/svc")).toEqual({ slug: "svc", rest: "", query: "" });
    expect(parseGatewayUrl("/gw/svc/?q")).toEqual({ slug: "svc", rest: "/", query: "q" });
    expect(parseGatewayUrl("/api/x")).toBeNull();
  });
});
