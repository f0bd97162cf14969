import { describe, expect, it } from "vitest";
import { clientIp } from "@/lib/net/client-ip";

describe("client IP", () => {
  const headers = (xff?: string) => new Headers(xff ? { "x-forwarded-for": xff } : {});
  it("is the socket address our server writes, unless a proxy is trusted", () => {
    expect(clientIp(headers("203.0.113.9"), false)).toBe("203.0.113.9");
    expect(clientIp(headers(), false)).toBe("unknown");
  });
  it("behind a trusted proxy, is what that proxy saw, not what the client claims", () => {
    // "<client claim>, <seen by proxy>, <proxy socket appended by our server>"
    expect(clientIp(headers("6.6.6.6, 198.51.100.4, 10.0.0.2"), true)).toBe("198.51.100.4");
    expect(clientIp(headers("198.51.100.4, 10.0.0.2"), true)).toBe("198.51.100.4");
    expect(clientIp(headers("10.0.0.2"), true)).toBe("10.0.0.2");
  });
});
