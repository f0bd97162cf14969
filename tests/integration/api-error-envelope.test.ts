import { describe, it } from "vitest";
import { GET as nextAuthGet, POST as nextAuthPost } from "@/app/api/auth/[...nextauth]/route";
import { GET as apiRoot } from "@/app/api/[[...path]]/route";
import { ctx, request } from "../helpers";
import { expectError } from "./support";

describe("every /api error is the envelope", () => {
  // (That next-auth still serves its own actions needs Next's request scope: the Playwright sign-in tests prove it.)
  it("an /api/auth path next-auth does not serve is a 404 envelope", async () => {
    await expectError(
      await nextAuthPost(request("POST", "/api/auth/logout"), ctx({ nextauth: ["logout"] })),
      404,
      "Not found",
    );
    await expectError(
      await nextAuthGet(request("GET", "/api/auth/whatever"), ctx({ nextauth: ["whatever"] })),
      404,
      "Not found",
    );
  });

  it("/api itself is a 404 envelope", async () => {
    await expectError(await apiRoot(request("GET", "/api"), ctx({})), 404, "Not found");
  });
});
