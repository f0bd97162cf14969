import { describe, expect, it } from "vitest";
import { portalOrigin, sameOriginPath } from "@/lib/auth/callback-url";

const ORIGIN = "http://localhost:3000";

describe("sameOriginPath: where a callbackUrl may send someone", () => {
  it.each([
    ["/usage", "/usage"],
    ["/usage?range=24h#log", "/usage?range=24h#log"],
    ["http://localhost:3000/keys?page=2", "/keys?page=2"],
    ["HTTP://LOCALHOST:3000/keys", "/keys"],
    ["http://localhost:3000", "/"],
  ])("%j → %j", (value, path) => {
    expect(sameOriginPath(value, ORIGIN)).toBe(path);
  });

  it.each([
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/keys",
    "http://localhost:3001/keys",
    "https://localhost:3000/keys",
    "//evil.example/keys",
    "/\\evil.example",
    "/\t/evil.example",
    "http://localhost:3000//evil.example",
    "keys",
    " /keys",
    "",
    "http://",
  ])("%j → null", (value) => {
    expect(sameOriginPath(value, ORIGIN)).toBeNull();
  });

  it("takes NEXTAUTH_URL's origin, or next-auth's default", () => {
    expect(portalOrigin("https://keys.example.com/portal/")).toBe("https://keys.example.com");
    expect(portalOrigin(undefined)).toBe("http://localhost:3000");
  });
});
