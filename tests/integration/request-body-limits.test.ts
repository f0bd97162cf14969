import { describe, it } from "vitest";
import { POST as register } from "@/app/api/auth/register/route";
import { noParams, request } from "../helpers";
import { expectError } from "./support";

describe("request bodies are capped at 64 KB", () => {
  it("refuses a declared large body before reading it, and a streamed one while reading", async () => {
    const big = JSON.stringify({ email: "a@b.co", password: "x".repeat(70_000) });
    await expectError(
      await register(
        request("POST", "/api/auth/register", { rawBody: big, headers: { "content-type": "application/json" } }),
        noParams,
      ),
      413,
      /too large/,
    );
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const streamed = new Request("http://localhost:3000/api/auth/register", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectError(await register(streamed, noParams), 413, /too large/);
  });
});
