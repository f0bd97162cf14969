import { describe, expect, it } from "vitest";
import { clientResponseHeaders } from "@/lib/gateway/forward-headers";
import { redactKeys } from "@/lib/log/redact";

describe("the gateway's answer headers", () => {
  it("drop the upstream's request id and rate-limit headers (the gateway sets its own), and keep the rest", () => {
    const headers = clientResponseHeaders({
      "x-request-id": "upstream-id",
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "4",
      "retry-after": "30",
      "content-type": "application/json",
      connection: "keep-alive, x-private",
      "x-private": "hop",
    });
    expect(headers).toEqual({ "retry-after": "30", "content-type": "application/json" });
  });
});

describe("redaction", () => {
  it("takes webhook signing secrets out of logged text", () => {
    expect(redactKeys("rotated to whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La+/== ok")).toBe("rotated to whsec_[redacted] ok");
  });
});
